"""News boilerplate at paragraph level, with no class or id hints, at the edges of the article and inside it.

Each page is written for its test: plain <p> elements inside one <article>, so only the line filters
can tell the boilerplate from the story. Every pattern has a case in six languages or more.
"""

from __future__ import annotations

import pytest

from morgue.extraction import article, extract
from morgue.extraction.phrases import is_boilerplate_line, split_byline
from morgue.extraction.settings import ExtractionSettings

PROSE = [
    "The council approved the new timetable for the harbour ferries after a long evening of debate in the town hall.",
    "Residents who had campaigned for a later sailing said they were pleased, though the winter service stays thin.",
    "The operator will hire four more deckhands before summer; the first new sailing leaves on the first of May.",
    "A review of fares is planned for the autumn, when the council expects the first figures on passenger numbers.",
]


def page(lines: list[str], where: str) -> str:
    paragraphs = [f"<p>{line}</p>" for line in PROSE]
    inserted = [f"<p>{line}</p>" for line in lines]
    if where == "start":
        paragraphs = inserted + paragraphs
    elif where == "middle":
        paragraphs = paragraphs[:2] + inserted + paragraphs[2:]
    else:
        paragraphs = paragraphs + inserted
    return (
        "<html><head><title>Ferry timetable approved</title></head><body>"
        f"<article><h1>Ferry timetable approved</h1>{''.join(paragraphs)}</article></body></html>"
    )


CASES = {
    "social call to action": [
        "Little text and great information in our X, follow us!",
        "Follow us on Instagram for more local news",
        "Síguenos en nuestro canal de WhatsApp",
        "Entre no nosso canal do WhatsApp e receba as notícias do dia",
        "Rejoignez notre chaîne WhatsApp pour ne rien manquer",
        "Folgen Sie uns auf Instagram und Facebook",
        "Seguici sul nostro canale Telegram",
    ],
    "inline promo": [
        "Read more: Bridge repairs to start in June",
        "Also read: The last wooden ferry returns",
        "Lesen Sie auch: Neue Fähre für die Insel",
        "À lire aussi : la grève des bacs continue",
        "Leia também: Nova balsa chega ao porto",
        "Lee también: El puerto amplía su horario",
        "Leggi anche: Il traghetto torna in servizio",
        "Te puede interesar: Las tarifas suben en otoño",
        "Saiba mais: O porto ganha um novo cais",
        "Das könnte Sie auch interessieren: Der Hafen wächst",
    ],
    "share counter": ["1.2K Shares", "Compartilhamentos: 40", "350 partages", "Condivisioni: 12", "Comentarios (8)"],
    "comment count": ["Comments (12)", "12 Comments", "Kommentare (3)", "Commentaires (5)", "Commenti: 7"],
    "comment form": [
        "Have your say: log in or register to comment.",
        "Log in to comment",
        "Inicia sesión para comentar",
        "Faça login para comentar esta notícia",
        "Connectez-vous pour commenter",
        "Bitte melden Sie sich an, um zu kommentieren",
        "Accedi per commentare",
    ],
    "cookie notice": [
        "We use cookies to give you the best experience. Accept",
        "Utilizamos cookies para mejorar su experiencia",
        "Este site utiliza cookies para melhorar a sua experiência",
        "Nous utilisons des cookies pour améliorer votre expérience",
        "Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten",
        "Questo sito utilizza i cookie per migliorare la navigazione",
        "Accept all cookies",
        "Alle Cookies akzeptieren",
        "Accepter les cookies",
    ],
    "newsletter box": [
        "Sign up for our free morning newsletter",
        "Suscríbete a nuestro boletín diario",
        "Assine nossa newsletter e receba as notícias",
        "Inscrivez-vous à notre newsletter",
        "Jetzt Newsletter abonnieren",
        "Iscriviti alla nostra newsletter",
        "Get the latest news delivered to your inbox",
        "Recibe nuestra newsletter cada mañana",
        "Receba as notícias do porto no seu e-mail",
        "Recevez notre newsletter chaque matin",
        "Newsletter: Die wichtigsten Nachrichten jeden Morgen in Ihrem Postfach",
        "Ricevi la nostra newsletter",
    ],
    "share prompt": [
        "Share this article",
        "Click to share on X (Opens in new window)",
        "Comparte esta noticia",
        "Compartilhe esta notícia",
        "Partager cet article",
        "Artikel teilen",
        "Condividi su Facebook",
    ],
    "comment prompt": [
        "Join the conversation",
        "View 12 comments",
        "Deja tu comentario",
        "Deixe o seu comentário",
        "Réagir à cet article",
        "Schreiben Sie einen Kommentar",
        "Scrivi un commento",
    ],
    "reading aid": [
        "4 min read",
        "Listen to this article",
        "Tiempo de lectura: 3 min",
        "Ouça esta notícia",
        "Temps de lecture : 3 min",
        "Lesezeit: 3 Minuten",
        "Ascolta l'articolo",
    ],
    "advertisement marker": [
        "Story continues below advertisement",
        "Scroll to continue with content",
        "Publicidad",
        "Continua depois da publicidade",
        "La suite après cette publicité",
        "Weiterlesen nach der Anzeige",
        "Pubblicità",
    ],
    "subscriber wall": [
        "Already a subscriber? Log in",
        "Enjoying this article? Subscribe for unlimited access.",
        "Contenido exclusivo para suscriptores",
        "Conteúdo exclusivo para assinantes",
        "Article réservé aux abonnés",
        "Dieser Artikel ist nur für Abonnenten",
        "Articolo riservato agli abbonati",
    ],
    "tags and feedback": [
        "Tags: ferries, harbour, council",
        "Was this article helpful?",
        "Etiquetas: transporte, puerto",
        "Tópicos: transporte",
        "Mots-clés : transports",
        "Schlagwörter: Fähre, Hafen",
        "Segnala un errore",
    ],
}


@pytest.mark.parametrize("where", ["start", "middle", "end"])
@pytest.mark.parametrize("kind", list(CASES))
def test_boilerplate_paragraphs_removed(kind: str, where: str) -> None:
    text = extract(page(CASES[kind], where))["text"]
    for line in PROSE:
        assert line in text
    for line in CASES[kind]:
        assert line not in text, line


@pytest.mark.parametrize("line", [line for lines in CASES.values() for line in lines])
def test_each_pattern_is_recognised(line: str) -> None:
    """The line filter itself: with a pattern switched off, its line is no longer recognised."""
    assert is_boilerplate_line(line, 25)


@pytest.mark.parametrize(
    "line",
    [
        *PROSE,
        "The mayor said the club would follow us into the new stadium next spring, when the work is done.",
        "Results in our x-ray unit were good, the hospital said on Monday.",
        "She went on to join our team of reporters in 2019 and covered the port for five years.",
        "The newsletter of the rowing club, which she edited for a decade, is now kept in the town archive.",
        "Share prices of the ferry operator fell by a tenth after the vote, traders said.",
        "Reading time at the town library doubled after it opened on Sundays, the council said.",
        "Tags on the new ferries will show the route and the name of the operator.",
        "Comments made by the mayor on Monday were criticised by the opposition.",
        "Partager la charge entre les communes était la seule solution, a dit le maire.",
    ],
)
def test_story_lines_kept(line: str) -> None:
    assert not is_boilerplate_line(line, 25)


@pytest.mark.parametrize(
    ("line", "author", "published"),
    [
        ("By Lena Fischer · 29 November 2026", "Lena Fischer", "2026-11-29"),
        ("By Lena Fischer | Nov. 29, 2026", "Lena Fischer", "2026-11-29"),
        ("Von Petra Hollenbach | 29.11.2026", "Petra Hollenbach", "2026-11-29"),
        ("Por Ana Lima · 3 de março de 2026", "Ana Lima", "2026-03-03"),
        ("Par Claire Dubois, 12 janvier 2026", "Claire Dubois", "2026-01-12"),
        ("Di Marco Rossi - 5 giugno 2026", "Marco Rossi", "2026-06-05"),
        ("Por Lucía Gómez | 7 de julio de 2026", "Lucía Gómez", "2026-07-07"),
        ("By Lena Fischer", "Lena Fischer", None),
        ("By Lena Fischer | Published 29 November 2026", "Lena Fischer", "2026-11-29"),
        ("Published 3 December 2026", None, "2026-12-03"),
        ("Publicado el 3 de diciembre de 2026", None, "2026-12-03"),
        ("Publicado em 3 de dezembro de 2026", None, "2026-12-03"),
        ("Publié le 3 décembre 2026 à 10h45", None, "2026-12-03"),
        ("Veröffentlicht am 03.12.2026", None, "2026-12-03"),
        ("Pubblicato il 3 dicembre 2026", None, "2026-12-03"),
        ("Updated: Dec. 3, 2026 10:45 a.m.", None, None),  # an update is not the publication date
    ],
)
def test_byline_and_date_line_become_metadata(line: str, author: str, published: str | None) -> None:
    text, found_author, found_date = split_byline(f"{line}\n{PROSE[0]}\n{PROSE[1]}")
    assert (found_author, found_date) == (author, published)
    assert text == f"{PROSE[0]}\n{PROSE[1]}"


def test_byline_paragraph_on_a_page_is_metadata_not_text() -> None:
    record = extract(page(["By Lena Fischer · 29 November 2026"], "start"))
    assert "Lena Fischer" not in record["text"]
    assert record["author"] == "Lena Fischer"
    assert record["published"] == "2026-11-29"


def test_byline_and_dateline_on_a_page_are_both_metadata() -> None:
    record = extract(page(["By Lena Fischer", "Updated 4 December 2026", "Published 3 December 2026"], "start"))
    assert record["text"].split("\n") == PROSE
    assert (record["author"], record["published"]) == ("Lena Fischer", "2026-12-03")


@pytest.mark.parametrize(
    "line",
    [
        "By the river, the mayor spoke",
        "By then it was too late, the crew said",
        "Published in 2019, the review found that fares had risen faster than wages",
        "Updated timetables will be posted at the harbour",
    ],
)
def test_sentences_that_open_like_a_byline_or_dateline_stay(line: str) -> None:
    text, author, published = split_byline(f"{line}\n{PROSE[0]}")
    assert author is None and published is None
    assert text.startswith(line)


COMMENTS = [
    "I have taken that ferry for twenty years and a later sailing is long overdue, well done to the campaigners.",
    "Four deckhands will not be enough if the summer is as busy as last year, mark my words on this one.",
]


def with_comments(heading: str, comments: list[str], signed: bool = True) -> str:
    """The page with a comment section in the article's own container, as blog and CMS themes print it."""
    section = "".join(
        f"<div><p>{line}</p>"
        + (f"<p>Posted by: reader{i} | 3 December 2026 10:{10 + i}</p>" if signed else "")
        + "</div>"
        for i, line in enumerate(comments)
    )
    return page([], "end").replace("</article>", f"<h2>{heading}</h2>{section}</article>")


OFF = ExtractionSettings(comments_min_share=1.1, comments_early_share=1.1)


@pytest.mark.parametrize(
    "heading",
    [
        "3 Comments",
        "12 thoughts on “Ferry timetable approved”",
        "Comentarios (4)",
        "Comentários (2)",
        "Commentaires (3)",
        "Kommentare (2)",
        "Commenti (5)",
        "Leave a Reply",
    ],
)
def test_readers_comments_after_the_story_are_not_text(heading: str) -> None:
    """Comments inside the article's own container, with no class hints: cut at their heading."""
    html = with_comments(heading, COMMENTS)
    assert extract(html)["text"].split("\n") == PROSE
    kept = article.extract(html, settings=OFF)["text"]
    assert all(line in kept for line in COMMENTS)  # the cut, switched off


def test_comments_longer_than_the_story_are_cut_too() -> None:
    """Near the end of the text, a heading is enough; earlier, the comments' signatures must follow it."""
    html = with_comments("Comments", COMMENTS * 4)
    assert extract(html)["text"].split("\n") == PROSE
    unsigned = extract(with_comments("Comments", COMMENTS * 4, signed=False))["text"]
    assert COMMENTS[0] in unsigned  # an early heading with no signatures after it cuts nothing
    named = extract(with_comments("4 Responses to “Ferry timetable approved”", COMMENTS * 4, signed=False))
    assert named["text"].split("\n") == PROSE  # a heading that names the story needs none


@pytest.mark.parametrize("heading", ["Comments (0)", "Discussion", "Response", "Comments (12)"])
def test_no_comment_heading_no_cut(heading: str) -> None:
    """A zero count heads no comments; a bare "Discussion" or "Response" may be a section of the story; a
    count in the middle of the story, with story text after it, is a share bar's."""
    html = page([], "end").replace(f"<p>{PROSE[2]}</p>", f"<h2>{heading}</h2><p>{PROSE[2]}</p>")
    assert all(line in extract(html)["text"] for line in PROSE)


NEWSLETTER_BOX = (
    "<div><h3>The harbour briefing</h3><p>Everything that moves on the quays, every weekday at seven.</p>"
    "<form><input type='email' placeholder='Your e-mail'><button>Go</button></form></div>"
)
COMMENT_BOX = (
    "<div><h3>What do you think?</h3><p>Your e-mail address will be kept private.</p>"
    "<form><textarea></textarea><input name='author'><button>Send</button></form></div>"
)


@pytest.mark.parametrize("box", [NEWSLETTER_BOX, COMMENT_BOX])
def test_form_boxes_without_class_hints_go_with_their_heading(box: str) -> None:
    html = page([], "end").replace(f"<p>{PROSE[2]}</p>", f"{box}<p>{PROSE[2]}</p>")
    assert extract(html)["text"].split("\n") == PROSE
    kept = article.extract(html, settings=ExtractionSettings(form_box_chars=0))["text"]
    assert "Everything that moves" in kept or "Your e-mail address" in kept  # the rule, switched off


def test_a_page_inside_one_form_keeps_its_text() -> None:
    """Whole pages wrapped in a <form> (ASP.NET) with a comment box: only the box goes."""
    html = page([], "end").replace("<article>", "<form><article>")
    html = html.replace("</article>", f"</article>{COMMENT_BOX}</form>")
    assert extract(html)["text"].split("\n") == PROSE


@pytest.mark.parametrize("where", ["start", "end"])
def test_boilerplate_in_list_items(where: str) -> None:
    """Share bars and counters are often lists; their items come out as "- item" lines."""
    items = ["Published 3 December 2026", "1.2K Shares", "Share on Facebook", "Lesezeit: 3 Minuten", "Comments (12)"]
    bar = "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    html = page([], where).replace("<h1>Ferry timetable approved</h1>", f"<h1>Ferry timetable approved</h1>{bar}")
    if where == "end":
        html = page([], where).replace("</article>", f"{bar}</article>")
    record = extract(html)
    assert record["text"].split("\n") == PROSE
    assert record["published"] == "2026-12-03"
