"""Line filters for boilerplate that survives inside the article container, in many languages.

A line goes when it is short and either is a stock label on its own ("Advertisement",
"Leave a Reply") or opens with a stock lead-in ("Read more:", "Follow us on Telegram",
"Subscribe to our newsletter"). Long lines are never touched: a paragraph that merely
mentions a newsletter is article text.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import accumulate

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
    "|continúa leyendo|sigue leyendo|seguir leyendo|continue a ler|continua a ler|lire la suite|weiterlesen"
    "|mehr lesen|continua a leggere|publicidade|anuncio|anúncio|annuncio"
    "|share article|share this post|share the article|artikel teilen|beitrag teilen|diesen artikel teilen"
    "|seite teilen|compartilhe|compartilhar|comparte|partagez"
    "|was this article helpful|was this helpful|did you find this article useful|report an error"
    "|report a correction|report a typo|signaler une erreur|signaler un problème|fehler melden|fehler gefunden"
    "|reportar un error|reportar error|comunicar erro|reportar erro|segnala un errore|segnala errore"
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
    r"|(?:te|le) puede interesar\b|más información\s*:|noticias? relacionadas?\b|saiba mais\s*:"
    r"|notícias? relacionadas?\b|(?:pode|podem) (?:te )?interessar\b|en savoir plus\s*:|articles? liés?\b"
    r"|(?:ça|cela) (?:peut|pourrait) vous intéresser\b|das könnte sie (?:auch )?interessieren\b|mehr dazu\s*:"
    r"|verwandte artikel\b|mehr (?:dazu )?lesen sie\b|potrebbe interessarti\b|per saperne di più\s*:"
    r"|articoli correlati\b"
    # follow / subscribe / donate calls to action
    r"|follow (?:us|me|him|her|them)\b|like us on\b|join us on\b|join our\b|find us on\b"
    r"|folgen sie uns\b|folge uns\b|suivez-nous\b|síguenos\b|seguici\b|siga-nos\b|obserwuj nas\b|подписывайтесь\b"
    r"|subscribe (?:to|for|now|here|today)\b|sign up (?:(?:for|to) (?:our|the|my)|here|now|today)\b"
    r"|get (?:our|the latest|the best)\b.*\b(?:newsletter|inbox)"
    r"|abonnieren sie\b|jetzt abonnieren\b|abonnez-vous\b|suscríbete\b|iscriviti\b|assine\b|zapisz się\b"
    r"|support (?:us|our journalism|independent journalism)\b|donate\b|become a (?:member|patron|subscriber)\b"
    r"|unterstützen sie\b|soutenez\b|apoya\b|sostieni\b"
    r"|click here\b|tap here\b|download (?:our|the) app\b|get the .{0,40}\bapp\b"
    r"|(?:share|teilen|partager|partagez|compartir|comparte|compartilhe|compartilhar|condividi)"
    r"\s+(?:this|on|via|with|auf|sur|en|su|no|na|nas|em)\b|like this (?:story|article)\?"
    r"|(?:share|teilen sie|partager|partagez|compartir|comparte|compartilhe|compartilhar|condividi)\s+"
    r"(?:(?:the|cet|cette|l['’]|la|le|esta|este|essa|esse|a|o|questo|questa|diesen|den)\s*)?"
    r"(?:article|story|post|page|noticia|notícia|matéria|artigo|articolo|notizia|artikel|beitrag|seite)\b"
    r"|click to (?:share|print|email|tweet)\b"
    # reading aids and advertisement markers
    r"|listen to (?:this|the) (?:article|story)\b|listen to article\b|écouter (?:cet|l['’]) ?article\b"
    r"|escuchar? (?:esta|la) noticia\b|escuchar (?:este |el )?artículo\b|ouça (?:esta|essa|a) (?:notícia|matéria)\b"
    r"|ouvir (?:esta |a )?(?:notícia|matéria)\b|(?:artikel|beitrag) (?:anhören|vorlesen(?: lassen)?)\b"
    r"|(?:hören sie )?(?:diesen|den) artikel anhören\b|ascolta (?:l['’]|questo )?articolo\b|ascolta la notizia\b"
    r"|(?:the )?(?:story|article|text) continues (?:below|after)\b|continue reading (?:below|after)\b"
    r"|scroll (?:down )?to continue\b"
    r"|(?:continua|continúa|continue) (?:depois|después|após|dopo|après) (?:da|de la|del|la|della) "
    r"(?:publicidade|publicidad|pubblicità|publicité)\b|la suite après (?:cette |la )?publicité\b"
    r"|weiterlesen nach (?:der )?anzeige\b|(?:der )?artikel (?:geht|wird) (?:unten|nach der anzeige) weiter"
    r"|l['’]articolo continua (?:sotto|dopo)\b"
    # subscriber walls
    r"|already (?:a|an) (?:subscriber|member)\b|(?:already )?have an account\?|enjoy(?:ing|ed) this (?:article|story)\?"
    r"|subscribe (?:for|to) (?:unlimited|full) access\b|(?:article |contenu )?réservé aux abonnés\b|déjà abonné"
    r"|exclusivo para (?:assinantes|suscriptores)\b|(?:este )?contenido (?:es )?exclusivo para\b|ya eres suscriptor"
    r"|conteúdo exclusivo para assinantes\b|já é assinante|nur für abonnenten\b|bereits abonnent"
    r"|(?:dieser )?artikel ist (?:nur )?für abonnenten\b|(?:articolo |contenuto )?riservato agli abbonati\b"
    r"|già abbonato"
    # comment forms
    r"|leave a (?:reply|comment)\b|your email address will not be published|you must be logged in to post"
    r"|please enter your\b|comment policy\b|we welcome (?:your )?comments|comments are (?:closed|moderated)\b"
    r"|join the (?:conversation|discussion|debate)\b|(?:show|view|read|see|load) (?:all )?(?:\d+ )?comments\b"
    r"|(?:write|add|post) (?:a|your) comment\b|(?:deja|escribe|añade) (?:tu|un|su) comentario\b|ver comentarios\b"
    r"|comenta (?:esta|la) noticia\b|(?:deixe|escreva) (?:o |a )?(?:seu|sua|um) comentário\b|ver comentários\b"
    r"|comente (?:esta|essa|a) (?:notícia|matéria)\b|(?:ajouter|écrire|laisser) un commentaire\b"
    r"|réagi(?:r|ssez) à cet article\b|(?:voir|afficher) les commentaires\b"
    r"|kommentar (?:verfassen|schreiben|abgeben|hinzufügen)\b|jetzt kommentieren\b"
    r"|schreiben sie (?:einen|ihren) kommentar\b|diskutieren sie mit\b|kommentare (?:anzeigen|lesen|einblenden)\b"
    r"|(?:scrivi|lascia|aggiungi) un commento\b|commenta (?:la notizia|l['’]articolo|questo articolo)\b"
    r"|(?:mostra|leggi) i commenti\b"
    # tags
    r"|(?:tags?|topics|filed under|schlagw(?:ö|oe)rter|schlagworte|themen|mots[- ]clés|étiquettes|etiquetas"
    r"|palabras clave|temas|tópicos|argomenti|parole chiave)\s*:"
    # credits and labels with a value
    r"|(?:photo|image|picture|foto|bild|photograph)s?\s*(?:credit)?\s*[:©]|credit\s*:|getty images\b"
    r"|source\s*:\s*(?:getty|reuters|ap|afp|dpa)\b"
)
_LEAD = re.compile(rf"^[\s\-–—•*>»|#]*(?:{_LEADS})", re.IGNORECASE)

# Counters such as "1.2K shares", "350 views", "12 Comments", "Comments (12)", "Compartilhamentos: 40".
_COUNTED = (
    r"shares?|views?|comments?|likes?|reads?|responses?|replies|kommentare?|aufrufe|mal geteilt|geteilt"
    r"|commentaires?|partages?|vues|comentarios?|compartidos|compartir|vistas|comentários?|compartilhamentos?"
    r"|visualizações|commenti|condivisioni|visualizzazioni|letture"
)
_COUNTER = re.compile(
    rf"^(?:(?:[\d.,]+\s*[kmKM]?\s*(?:{_COUNTED})|(?:{_COUNTED})\s*[:(\[]?\s*[\d.,]+\s*[kmKM]?\s*[)\]]?)[\s|·•,]*)+$",
    re.IGNORECASE,
)

# Reading times: "4 min read", "Reading time: 4 minutes", "Lesezeit: 3 Minuten", "Tempo de leitura: 3 min".
_READING_TIME = re.compile(
    r"^(?:(?:estimated )?(?:reading time|read time|lesezeit|lesedauer|temps de lecture|tiempo de lectura"
    r"|tempo de leitura|tempo di lettura)\s*:?\s*(?:ca\.|about|environ|aprox\.|circa)?\s*\d+\s*[^\W\d_]*\.?"
    r"|(?:ca\.\s*)?\d+\s*(?:min|mins|minutes?|minuten|minutos|minuti)\.?\s*(?:read|reading|lesezeit|lesedauer"
    r"|de lecture|de lectura|de leitura|di lettura|leitura|lectura|lettura))\s*$",
    re.IGNORECASE,
)

# Calls to action, comment prompts, cookie notices and newsletter boxes, wherever they sit in a short line
# ("Little text and great information in our X, follow us!"), in English, Spanish, Portuguese, French,
# German and Italian.
_ANYWHERE = re.compile(
    # follow / join us on a network or channel
    r"\b(?:follow us(?:\s+(?:on|at|for|here|now|today)\b|\s*[!:@]|\s*$)|join us on"
    r"|join our (?:\w+ )?(?:channel|community|group)|find us on|like us on"
    r"|in our (?:x|twitter|telegram|whatsapp|instagram|facebook|tiktok|youtube|threads|bluesky|linkedin)"
    r"(?: (?:channel|account|group|profile))?(?![\w-])"
    r"|síguenos|únete a nuestro (?:canal|grupo)|en nuestro canal de|en nuestras redes"
    r"|siga-nos|siga (?:o|a) \S+ no|entre no nosso (?:canal|grupo)|no nosso canal|nas nossas redes|em nossas redes"
    r"|suivez-nous|rejoignez-nous|rejoignez notre (?:chaîne|canal|communauté)|sur notre (?:chaîne|canal)"
    r"|folgen sie uns|folge uns|in unserem (?:\S+-)?kanal|auf unserem (?:\S+-)?kanal"
    r"|seguici|unisciti al nostro canale|sul nostro canale|iscriviti al nostro canale)"
    # comment forms
    r"|\bhave your say\b|\b(?:log in|sign in|login|register|subscribe) (?:or (?:register|sign up|log in) )?to "
    r"(?:comment|reply|post a comment|join the (?:conversation|discussion))"
    r"|inicia sesión para comentar|regístrate para comentar|faça login para comentar"
    r"|para comentar,? (?:faça|é preciso)"
    r"|connectez-vous pour commenter|identifiez-vous pour commenter"
    r"|(?:anmelden|sich an),? um (?:zu )?kommentieren|zum kommentieren anmelden"
    r"|accedi per commentare|registrati per commentare"
    # cookie notices
    r"|\b(?:we|this (?:web)?site) uses? cookies"
    r"|\bby (?:using|continuing to use) this (?:web)?site,? you (?:agree|accept)"
    r"|(?:utilizamos|usamos) (?:las |as |os )?cookies|este (?:sitio|site) (?:web )?(?:utiliza|usa) cookies"
    r"|nous utilisons des cookies|ce site (?:web )?utilise des cookies|wir (?:verwenden|nutzen) cookies"
    r"|diese (?:web)?seite (?:verwendet|nutzt) cookies|(?:utilizziamo|usiamo) (?:i )?cookie"
    r"|questo sito (?:utilizza|usa) (?:i )?cookie"
    r"|\b(?:accept|allow|reject|manage) (?:all )?cookies\b|\bcookie (?:settings|preferences)\b"
    r"|\b(?:alle )?cookies (?:akzeptieren|zulassen|ablehnen)|cookie-einstellungen"
    r"|\b(?:accepter|refuser|gérer) (?:tous )?les cookies|paramètres des cookies"
    r"|\b(?:aceptar|rechazar|configurar) (?:todas )?(?:las )?cookies|\b(?:aceitar|rejeitar|gerir|gerenciar) "
    r"(?:todos )?(?:os )?cookies|\b(?:accetta|rifiuta|gestisci) (?:tutti )?(?:i )?cookie"
    # newsletter boxes
    r"|\b(?:subscribe|sign up|register) (?:to|for) (?:our|the) (?:\w+ ){0,3}newsletter"
    r"|suscríbete (?:a|al) (?:nuestro|nuestra)? ?(?:boletín|newsletter)|assine (?:a )?nossa newsletter"
    r"|inscreva-se (?:na|em) nossa newsletter|inscrivez-vous à (?:notre|la) newsletter"
    r"|abonnez-vous à (?:notre|la) newsletter"
    r"|newsletter abonnieren|abonnieren sie (?:unseren|den) newsletter|iscriviti alla (?:nostra )?newsletter"
    r"|\b(?:recibe|recibir|receba|receber|recevez|recevoir|ricevi|ricevere|erhalten sie|melden sie sich"
    r"|inscreva-se|inscrivez-vous|iscriviti|suscríbete|assine)\b[^.!?]{0,50}\bnewsletter"
    r"|\bget\b[^.!?]{0,60}\b(?:delivered|sent|straight) to your inbox"
    r"|\b(?:receba|recebe)\b[^.!?]{0,40}\bno seu e-?mail|^newsletter\s*[:–-]"
    r"|\b(?:in|ins) (?:ihr|ihrem|dein|deinem) (?:e-mail-)?postfach\b",
    re.IGNORECASE,
)


def _unbullet(line: str) -> str:
    """The line without surrounding space and list or quote marks (list items come as "- item")."""
    return line.strip().lstrip("-–—•*>»|# ")


def is_boilerplate_line(line: str, max_words: int) -> bool:
    """True for a short line that is a label, a counter, opens with a promo lead-in or holds a call to action."""
    stripped = _unbullet(line)
    if not stripped:
        return False
    words = len(stripped.split())
    if words <= min(6, max_words) and (
        _LABEL.match(stripped) or _COUNTER.match(stripped) or _READING_TIME.match(stripped)
    ):
        return True
    return words <= max_words and (_LEAD.match(stripped) is not None or _ANYWHERE.search(stripped) is not None)


def drop_boilerplate_lines(text: str, max_words: int) -> str:
    return "\n".join(line for line in text.split("\n") if not is_boilerplate_line(line, max_words))


# Headings of a reader-comment section: "3 Comments", "Kommentare (2)", "Leave a Reply", "12 thoughts on “...”".
# A count of 0 heads nothing, and a bare singular ("Response", "Discussion") is as likely a section of the story.
_COMMENT_WORDS = (
    r"comments?|kommentare?|commentaires?|comentarios?|comentários?|commenti|reactions?|réactions?"
    r"|reacciones|reações|reaktionen|responses?|replies|leserkommentare|thoughts?"
)
_COUNT = r"(?:[1-9][\d.,]*|0[.,]\d+)\s*[kmKM]?"
_COMMENT_HEADING = re.compile(
    rf"^(?:{_COUNT}\s+(?:{_COMMENT_WORDS})(?P<on>\s+(?:on|to|zu|sur|a|em|su)\s+[“\"«„'‘].*)?"
    rf"|(?:{_COMMENT_WORDS})\s*[:(\[]?\s*{_COUNT}\s*[)\]]?"
    r"|comments|kommentare|leserkommentare|commentaires|comentarios|comentários|commenti|reader comments"
    r"|leave a (?:reply|comment)|laisser un commentaire|deja un comentario|deixe (?:o seu |um )?comentário"
    r"|lascia un commento|kommentar schreiben)[\s.:!?]*$",
    re.IGNORECASE,
)
# Lines that sign a reader's comment: "Posted by: jo | Mar 20, 2007 10:19 PM", "Anna says:", "Reply", a date
# with a time of day (a live blog's bare "10:45" is not one).
_SIGNATURE = re.compile(
    r"^(?:posted by|geschrieben von|publicado por|postado por|posté par|pubblicato da)\b"
    r"|\b(?:says|wrote|schrieb|sagt|a écrit|dit|escribió|dice|escreveu|diz|ha scritto)\s*:\s*$"
    r"|(?:\b(?:19|20)\d\d\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b).{0,30}\b\d{1,2}:\d\d\b"
    r"|^(?:reply|antworten|répondre|responder|rispondi)\s*$",
    re.IGNORECASE,
)


def cut_comments(text: str, min_share: float, early_share: float, window: int = 40) -> str:
    """Cut the text at the heading of its readers' comments: what follows is not the story.

    A heading past ``min_share`` of the text counts as it is. One past ``early_share`` (comments can
    outweigh a short story) counts when it names the story ("4 Responses to “...”") or when at least two
    of the ``window`` lines after it sign a comment ("Posted by: ...", "... says:", a time of day): a
    comment count inside the story ("Comments (12)" in a share bar) has story text after it, not comments.
    """
    lines = text.split("\n")
    signed: list[int] = []  # signed[k]: how many of the first k lines sign a comment; made when first needed
    seen, total = 0, len(text)
    for i, line in enumerate(lines):
        if seen >= early_share * total and len(line.split()) <= 12:
            match = _COMMENT_HEADING.match(_unbullet(line))
            if match and not (seen >= min_share * total or match["on"]):
                signed = signed or list(accumulate((_signs(x) for x in lines), initial=0))
                match = match if signed[min(len(lines), i + 1 + window)] - signed[i + 1] >= 2 else None
            if match:
                return "\n".join(lines[:i])
        seen += len(line) + 1
    return text


def _signs(line: str) -> bool:
    """A short line that signs a comment."""
    return len(line.split()) <= 15 and _SIGNATURE.search(line) is not None


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


# The one byline pattern: "By Jane Doe", "Von Petra Hollenbach", "Por Ana Lima · 3 de março de 2026".
_BY = r"(?:by|von|par|por|di|door|av|af|przez|от|作者)"
BYLINE_LEAD = re.compile(rf"^\s*{_BY}[\s:]+", re.IGNORECASE)
_NAME = r"[^\W\d_][\w'’.-]*(?:\s+(?:and|und|et|y|e|en|og|och|i|[^\W\d_][\w'’.-]*))*"
_BYLINE = re.compile(rf"^{_BY}\s+(?P<name>{_NAME})(?:\s*(?:[|·•,–—]|\s-)\s*(?P<date>.+))?$", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan januar janvier enero ene janeiro gennaio gen",
            "february feb februar février fevrier febrero fevereiro fev febbraio",
            "march mar märz maerz mars marzo março marco",
            "april apr avril abril aprile",
            "may mai mayo maio maggio mag",
            "june jun juni juin junio junho giugno giu",
            "july jul juli juillet julio julho luglio lug",
            "august aug août aout agosto ago",
            "september sep sept septembre septiembre setembro settembre set",
            "october oct oktober okt octobre octubre outubro out ottobre ott",
            "november nov novembre noviembre novembro",
            "december dec dezember dez décembre decembre diciembre dic dezembro dicembre",
        ),
        start=1,
    )
    for name in names.split()
}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\.?\s+(?:de\s+)?([^\W\d_]+)\.?,?\s+(?:de\s+)?(\d{4})\b")
_MONTH_DAY_YEAR = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_NUMERIC = re.compile(r"^(?:(\d{4})-(\d\d)-(\d\d)|(\d{1,2})[./](\d{1,2})[./](\d{4}))\b")


def date_in_text(text: str) -> str | None:
    """An ISO date from the start of a byline's date part: "29 November 2026", "Nov. 29, 2026", "29.11.2026"."""
    text = text.strip().lower()
    for weekday_end in (",", " "):  # "Sunday, 29 November 2026"
        head, sep, rest = text.partition(weekday_end)
        if sep and head.isalpha() and head not in _MONTHS:
            text = rest.strip()
            break
    year = month = day = None
    if m := _NUMERIC.match(text):
        year, month, day = (m[1], m[2], m[3]) if m[1] else (m[6], m[5], m[4])
    elif (m := _DAY_MONTH_YEAR.match(text)) and m[2] in _MONTHS:
        year, month, day = m[3], _MONTHS[m[2]], m[1]
    elif (m := _MONTH_DAY_YEAR.match(text)) and m[1] in _MONTHS:
        year, month, day = m[3], _MONTHS[m[1]], m[2]
    if year is None:
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


# Publication and update lines: "Published 3 December 2026", "Updated: Dec. 3, 2026 10:45 a.m.",
# "Publié le 3 décembre 2026", "Publicado em 3 de dezembro de 2026", "Aktualisiert am 03.12.2026".
_PUBLISHED = r"first published|published|posted|publié|publiée|publicado|publicada|veröffentlicht|erschienen|pubblicato"
_UPDATED = (
    r"last updated|updated|last modified|mis à jour|actualizado|atualizado|zuletzt aktualisiert|aktualisiert|aggiornato"
)
_DATELINE = re.compile(
    rf"^(?:(?P<published>{_PUBLISHED})|{_UPDATED})(?:\s+(?:on|at|le|el|em|am|il|a las|às))?\s*:?\s*(?P<date>.+)$",
    re.IGNORECASE,
)


def _dateline(line: str) -> tuple[bool, str] | None:
    """For a publication or update line, (is it the publication date, its ISO date); else None."""
    match = _DATELINE.match(line)
    if not match or (published := date_in_text(match["date"])) is None:
        return None
    return match["published"] is not None, published


def split_byline(
    text: str, max_words: int = 14, search_lines: int = 3, max_taken: int = 4
) -> tuple[str, str | None, str | None]:
    """Take bylines ("By Jane Doe", optionally with a date) and publication or update lines ("Published
    3 December 2026") off the top and the end of the text: they are metadata, not article text.

    Returns (text, author or None, ISO publication date or None). A line with a date part that is not
    a date is neither ("By the river, the ...", "Published in 2019, the report ..."), nor is a line of
    more than ``max_words`` words. At most ``max_taken`` lines go.
    """
    lines = text.split("\n")
    author = published = None
    for _ in range(max_taken):
        if len(lines) < 2:
            break
        candidates = [*range(min(search_lines, len(lines) - 1)), len(lines) - 1]
        for i in dict.fromkeys(candidates):
            line = _unbullet(lines[i])
            if len(line.split()) > max_words:
                continue
            if author is None and (match := _BYLINE.match(line)):
                dated = date_in_text(_DATELINE.sub(r"\g<date>", match["date"])) if match["date"] else None
                if match["date"] and dated is None:
                    continue
                author, published = match["name"], published or dated
                break
            if found := _dateline(line):
                is_published, dated = found
                published = published or (dated if is_published else None)
                break
        else:
            break
        del lines[i]
    return "\n".join(lines), author, published
