"""Line filters for boilerplate that survives inside the article container, in many languages.

A line goes when it is short and either is a stock label on its own ("Advertisement",
"Leave a Reply") or opens with a stock lead-in ("Read more:", "Follow us on Telegram",
"Subscribe to our newsletter"). Long lines are never touched: a paragraph that merely
mentions a newsletter is article text.
"""

from __future__ import annotations

import re

# Whole-line labels (compared case-insensitively, trailing punctuation ignored).
_LABELS = (
    "advertisement|advertisements|advertising|sponsored|sponsored content|anzeige|werbung|publicidad|publicité"
    "|pubblicità|reklama|reclame|annons|annonse|mainos|реклама|广告|広告|광고"
    "|share|share this|share this article|share this story|share on facebook|share on twitter|tweet|email|print"
    "|teilen|partager|compartir|condividi|udostępnij|поделиться"
    "|leave a reply|leave a comment|post a comment|add a comment|comments|no comments|0 comments|write a comment"
    "|cancel reply|reply|kommentare|kommentar schreiben|laisser un commentaire|deja un comentario|lascia un commento"
    "|dodaj komentarz|оставить комментарий|you may also like|you might also like|related|related articles"
    "|related posts|related stories|related content|recommended|recommended for you|more from|more stories"
    "|don't miss|do not miss|most popular|most read|trending|trending now|see also|read more|read next|also read"
    "|mehr zum thema|das könnte sie auch interessieren|auch interessant|à lire aussi|lire aussi|a lire aussi"
    "|sur le même sujet|leggi anche|potrebbe interessarti|lee también|te puede interesar|noticias relacionadas"
    "|leia também|veja também|czytaj także|czytaj też|zobacz też|читайте также|смотрите также|lees ook"
    "|continue reading|click here|subscribe|sign up|newsletter|thanks for signing up|sorry!"
    "|please enter your comment!|please enter your name here|you have entered an incorrect email address!"
    "|image|photo|getty images|ap photo|reuters|afp|dpa|foto|bild|imago|shutterstock|istock"
)
_LABEL = re.compile(rf"^(?:{_LABELS})[\s.:!?…»›>|-]*$", re.IGNORECASE)

# Lead-ins of promo, call-to-action and credit lines.
_LEADS = (
    # links to other stories
    r"read more\b|read also\b|also read\b|read next\b|see also\b|related\s*:"
    r"|related (?:article|story|stories|coverage|reading)\b|more\s*:|recommended\s*:"
    r"|also on (?:\S+\.[a-z]{2,}\b|\w+\s*:)|also see\b|don't miss\b|must read\b|watch\s*:|listen\s*:"
    r"|lesen sie (?:auch|mehr|hier)\b|mehr zum thema\b|auch interessant\b|weiterlesen\b|lire (?:aussi|la suite)\b"
    r"|à lire (?:aussi|également)\b|a lire (?:aussi|également)\b|voir aussi\b|leggi anche\b|leggi\s*:"
    r"|lee (?:también|además)\b|leer más\b|ver también\b|leia (?:também|mais)\b|veja também\b"
    r"|czytaj (?:także|też|więcej)\b|zobacz (?:też|także)\b|читайте (?:также|еще)\b|смотрите также\b"
    r"|lees ook\b|lue myös\b|läs (?:också|mer)\b|les (?:også|mer)\b|læs (?:også|mere)\b|ayrıca oku\b"
    # follow / subscribe / donate calls to action
    r"|follow (?:us|me|him|her|them)\b|like us on\b|join us on\b|join our\b|find us on\b"
    r"|folgen sie uns\b|folge uns\b|suivez-nous\b|síguenos\b|seguici\b|siga-nos\b|obserwuj nas\b|подписывайтесь\b"
    r"|subscribe (?:to|for|now|here|today)\b|sign up (?:(?:for|to) (?:our|the|my)|here|now|today)\b"
    r"|get (?:our|the latest|the best)\b.*\b(?:newsletter|inbox)"
    r"|abonnieren sie\b|jetzt abonnieren\b|abonnez-vous\b|suscríbete\b|iscriviti\b|assine\b|zapisz się\b"
    r"|support (?:us|our journalism|independent journalism)\b|donate\b|become a (?:member|patron|subscriber)\b"
    r"|unterstützen sie\b|soutenez\b|apoya\b|sostieni\b"
    r"|click here\b|tap here\b|download (?:our|the) app\b|get the .{0,40}\bapp\b"
    r"|(?:share|teilen|partager|compartir)\s+(?:this|on|via|auf|sur|en)\b|like this (?:story|article)\?"
    # comment forms
    r"|leave a (?:reply|comment)\b|your email address will not be published|you must be logged in to post"
    r"|please enter your\b|comment policy\b|we welcome (?:your )?comments|comments are (?:closed|moderated)\b"
    # credits and labels with a value
    r"|(?:photo|image|picture|foto|bild|photograph)s?\s*(?:credit)?\s*[:©]|credit\s*:|getty images\b"
    r"|source\s*:\s*(?:getty|reuters|ap|afp|dpa)\b"
)
_LEAD = re.compile(rf"^[\s\-–—•*>»|#]*(?:{_LEADS})", re.IGNORECASE)

# Counters such as "1.2K shares", "350 views", "12 Comments".
_COUNTER = re.compile(
    r"^(?:[\d.,]+\s*[kmKM]?\s*(?:shares?|views?|comments?|likes?|reads?|kommentare|commentaires|comentarios|commenti|aufrufe)"
    r"[\s|·•,]*)+$",
    re.IGNORECASE,
)


def is_boilerplate_line(line: str, max_words: int) -> bool:
    """True for a short line that is a label, a counter, or opens with a promo/CTA lead-in."""
    stripped = line.strip()
    if not stripped:
        return False
    words = len(stripped.split())
    if words <= 6 and (_LABEL.match(stripped) or _COUNTER.match(stripped)):
        return True
    return words <= max_words and _LEAD.match(stripped) is not None


def drop_boilerplate_lines(text: str, max_words: int) -> str:
    return "\n".join(line for line in text.split("\n") if not is_boilerplate_line(line, max_words))


# Author contact and follow notes that close an article ("Follow her on Twitter @...", "Folgen Sie ihm auf X").
_SIGN_OFF = re.compile(
    r"\b(?:follow (?:him|her|them|us|me) (?:on|at|@)|folgen sie (?:ihm|ihr|uns)\b|folge (?:ihm|ihr|uns)\b"
    r"|suivez-(?:le|la|nous)\b|síguel[oa]s? en\b|síguenos en\b|seguil[oa] su\b|seguici su\b|siga-(?:o|a|nos)\b"
    r"|obserwuj (?:go|ją|nas)\b|volg (?:hem|haar|ons)\b)",
    re.IGNORECASE,
)


def drop_sign_off(text: str, max_words: int, max_lines: int = 2) -> str:
    """Drop the closing lines (at most ``max_lines``) that are short author follow/contact notes."""
    lines = text.split("\n")
    for _ in range(max_lines):
        if len(lines) < 2 or len(lines[-1].split()) > max_words or not _SIGN_OFF.search(lines[-1]):
            break
        lines.pop()
    return "\n".join(lines)


_BYLINE = re.compile(
    r"^(?:by|von|par|por|di|door|av|af|przez|от)\s+(?P<name>[^\W\d_][\w'’.-]*(?:\s+(?:and|und|et|y|e|en|og|och|i|[^\W\d_][\w'’.-]*))*)$",
    re.IGNORECASE,
)


def split_byline(text: str, max_words: int = 8) -> tuple[str, str | None]:
    """Take a "By Jane Doe" line off the top of the text; return (text, author or None)."""
    first, _, rest = text.partition("\n")
    match = _BYLINE.match(first.strip())
    if not match or len(first.split()) > max_words or not rest:
        return text, None
    return rest, match.group("name")
