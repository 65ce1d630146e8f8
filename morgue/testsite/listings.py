"""Variants of the test site for listing pages, page kinds and junk links (issue 18).

Unlike the hostile variants these are whole sites of their own, generated here:

- ``links-only``: no sitemap and no feed. The home page links 8 stories, three
  sections in its navigation (``/category/<section>/``) and a tag page; each
  section has three pages of stories, paginated three ways (``rel="next"`` links
  and ``/page/N/``; ``?page=N`` with an "Older posts" link; a ``<link rel="next">``
  in the head); the tag page lists two stories linked nowhere else. Stories live
  under undated URLs (``/news/<section>/<slug>-<id>``); ``/about/`` and
  ``/contact/`` are static. Each story links another with tracking parameters, a
  cart link to itself (``?add-to-cart=``), a reply link, a share link and a print
  link, and names its canonical URL; the home page links one story a second time,
  under ``?from=home``. Teasers show each story's date (``<time datetime>``).
- ``listing-trap``: a section whose ``?page=N`` links ``?page=N+1`` for ever, a
  date archive whose "previous month" goes back for ever, and a calendar whose
  months do; five real stories on the home page and the section's first page.
- ``generic-sitemap``: robots.txt names a sitemap of the site's content pages, few
  of which say they are articles (press releases, a sports report, a club report,
  a forum thread, a service notice), along with the home page, a section and a tag
  page, which are listings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from morgue.testsite.routes import XML, Reply, error_reply, html_reply

VARIANTS = ("links-only", "listing-trap", "generic-sitemap")
SECTIONS = ("world", "business", "sport")
#: stories per section, and per page of a section
PER_SECTION, PER_PAGE = 7, 3
#: the cart link on each story page (WooCommerce's)
CART_QUERY = "add-to-cart=41057"
#: the query of a second URL of one story, linked from the links-only home page
AGAIN_QUERY = "from=home"

_PARAGRAPHS = (
    ("Ministers met on Tuesday evening to discuss the proposals, and spoke at length about the cost of the "
    "work, the timetable and what residents had said at the public meetings held across the region."),
    ("Officials told the meeting that the plans had been revised twice since the spring, after consultations "
    "with local businesses, schools and the residents' associations of the three towns concerned."),
    ("A final decision is expected next month, when the committee will also hear from the independent auditor "
    "who reviewed the figures at the request of the council and of the regional assembly."),
)


@dataclass(frozen=True)
class Story:
    path: str
    title: str
    published: str  # YYYY-MM-DD
    section: str


def _links_only_stories() -> list[Story]:
    stories = []
    n = 0
    for section in SECTIONS:
        for i in range(PER_SECTION):
            n += 1
            day = 20 + n % 8  # 20 to 27 November
            stories.append(Story(f"/news/{section}/{section}-report-number-{i + 1}-{40000 + n}",
                                 f"{section.capitalize()} report number {i + 1}: what happened this week",
                                 f"2026-11-{day:02d}", section))
    for i in range(2):
        stories.append(Story(f"/news/world/ukraine-talks-update-{i + 1}-{41000 + i}",
                             f"Ukraine talks update {i + 1}: negotiators meet again", "2026-11-27", "tag"))
    return stories


LINKS_ONLY_STORIES = _links_only_stories()
#: stories the links-only home page links
HOME_STORIES = [s for s in LINKS_ONLY_STORIES if s.section != "tag"][::3][:8]
TAG_STORIES = [s for s in LINKS_ONLY_STORIES if s.section == "tag"]
TRAP_STORIES = [Story(f"/news/local/trap-story-{i}-{50000 + i}", f"Local story {i}: the harbour reopens",
                      "2026-11-25", "local") for i in range(5)]
#: bounds a trap crawl must stop at: the chain's pages are numbered, the archive goes back month by month
TRAP_SECTION = "/category/local/"

#: the generic sitemap's content pages: path -> (title, og:type or None, JSON-LD type or None)
GENERIC_PAGES = {
    "/press/2026/annual-report-published": ("Annual report published", "website", None),
    "/press/new-director-appointed": ("New director appointed to the board", None, "WebPage"),
    "/sport/match-report-eastbridge-2-rovers-1": ("Match report: Eastbridge 2, Rovers 1", None, None),
    "/clubs/rowing/autumn-regatta": ("Rowing club: the autumn regatta", "website", None),
    "/forum/thread/1234": ("Forum: parking on Quay Street", None, "DiscussionForumPosting"),
    "/service/notice/water-supply": ("Service notice: water supply interruption", None, None),
    "/news/2026/11/26/bridge-reopens": ("The bridge reopens after repairs", "article", "NewsArticle"),
}
#: listing pages the generic sitemap also lists: they get no text record
GENERIC_LISTINGS = ("/", "/category/news/", "/tag/harbour/")


def _head(title: str, base: str, path: str, extra: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<link rel="canonical" href="{escape(base + path)}">{extra}</head>\n')


def _nav() -> str:
    items = "".join(f'<li><a href="/category/{s}/">{s.capitalize()}</a></li>' for s in SECTIONS)
    return (f'<header><nav><ul><li><a href="/">Home</a></li>{items}<li><a href="/about/">About</a></li>'
            '</ul></nav></header>')


def story_html(story: Story, base: str, others: list[Story] | None = None) -> str:
    meta = ('<meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="{story.published}T09:00:00Z">')
    paragraphs = "".join(f"<p>{p}</p>\n" for p in _PARAGRAPHS)
    links = ""
    if others:
        other = others[0]
        links = (
            f'<aside><a href="{other.path}?utm_source=related&amp;utm_medium=web&amp;fbclid=abc#top">'
            f"{escape(other.title)}</a>"
            f'<a href="{story.path}/?{CART_QUERY}">Buy the print edition of this story today</a>'
            f'<a href="{story.path}?replytocom=12#respond">Reply</a>'
            f'<a href="/share/?url={story.path}">Share this story with your friends and family</a>'
            f'<a href="{story.path}?print=1">Print this story for reading later at home</a></aside>'
        )
    return (f"{_head(story.title, base, story.path, meta)}<body>{_nav()}<main><article>"
            f"<h1>{escape(story.title)}</h1>\n{paragraphs}</article>{links}</main>"
            '<footer><a href="/about/">About us</a> <a href="/contact/">Contact</a></footer></body></html>\n')


def _teaser(story: Story) -> str:
    return (f'<article class="teaser"><h3><a href="{story.path}">{escape(story.title)}</a></h3>'
            f'<time datetime="{story.published}">{story.published}</time><p>A few lines.</p></article>')


def listing_html(title: str, base: str, path: str, stories: list[Story], *, head_next: str = "",
                 pager: str = "") -> str:
    extra = f'<link rel="next" href="{head_next}">' if head_next else ""
    return (f"{_head(title, base, path, extra)}<body>{_nav()}<main><h1>{escape(title)}</h1>"
            f'{"".join(_teaser(s) for s in stories)}<nav class="pagination">{pager}</nav></main>'
            '<footer><a href="/about/">About us</a> <a href="/contact/">Contact</a></footer></body></html>\n')


def static_html(title: str, base: str, path: str) -> str:
    return (f"{_head(title, base, path)}<body>{_nav()}<main><h1>{escape(title)}</h1>"
            "<p>We are a small newsroom. Write to us at 1 Quay Street.</p></main></body></html>\n")


def _xml(text: str) -> Reply:
    return Reply(200, text.encode(), [("Content-Type", XML)])


class Listings:
    """What one of these variants answers; no sockets here."""

    def __init__(self, variant: str, base: str) -> None:
        self.variant = variant
        self.base = base.rstrip("/")

    @property
    def stories(self) -> list[Story]:
        """The variant's articles: each should get one text record."""
        if self.variant == "links-only":
            return LINKS_ONLY_STORIES
        if self.variant == "listing-trap":
            return TRAP_STORIES
        return []

    def reply(self, target: str) -> Reply:
        parts = urlsplit(target)
        path, query = parts.path or "/", parse_qs(parts.query)
        if path == "/robots.txt":
            text = "User-agent: *\nDisallow: /private/\n"
            if self.variant == "generic-sitemap":
                text += f"Sitemap: {self.base}/sitemap.xml\n"
            return Reply(200, text.encode(), [("Content-Type", "text/plain; charset=UTF-8")])
        if path in ("/about/", "/contact/"):
            return html_reply(static_html(path.strip("/").capitalize(), self.base, path))
        answer = {"links-only": self._links_only, "listing-trap": self._trap,
                  "generic-sitemap": self._generic}[self.variant](path, query)
        return answer if answer is not None else error_reply(404)

    def _links_only(self, path: str, query: dict) -> Reply | None:
        base = self.base
        by_path = {s.path: s for s in LINKS_ONLY_STORIES}
        if path == "/":
            # the last story once more under another URL: its canonical link makes it one story
            again = f'<a href="{HOME_STORIES[-1].path}?{AGAIN_QUERY}">{escape(HOME_STORIES[-1].title)}, again</a>'
            return html_reply(listing_html("The Daily Example", base, "/", HOME_STORIES,
                                           pager=f'<a href="/tag/ukraine/">Ukraine</a>{again}'))
        if path.rstrip("/") in by_path:  # the story's own URL, or one with a slash (the cart link's)
            story = by_path[path.rstrip("/")]
            i = LINKS_ONLY_STORIES.index(story)
            return html_reply(story_html(story, base, [LINKS_ONLY_STORIES[(i + 1) % len(LINKS_ONLY_STORIES)]]))
        if path == "/tag/ukraine/":
            return html_reply(listing_html("Ukraine", base, path, TAG_STORIES))
        m = re.fullmatch(r"/category/(\w+)/(?:page/(\d+)/)?", path)
        if m and m.group(1) in SECTIONS:
            section = m.group(1)
            number = int(m.group(2) or query.get("page", ["1"])[0])
            stories = [s for s in LINKS_ONLY_STORIES if s.section == section]
            pages = (len(stories) + PER_PAGE - 1) // PER_PAGE
            if not 1 <= number <= pages:
                return None
            shown = stories[(number - 1) * PER_PAGE: number * PER_PAGE]
            root = f"/category/{section}/"
            pager, head_next = "", ""
            if number < pages:
                if section == "world":
                    pager = f'<a rel="next" href="{root}page/{number + 1}/">{number + 1}</a>'
                elif section == "business":
                    pager = f'<a href="{root}?page={number + 1}">Older posts</a>'
                else:
                    head_next = f"{root}page/{number + 1}/"
            return html_reply(listing_html(section.capitalize(), base, path, shown, head_next=head_next, pager=pager))
        return None

    def _trap(self, path: str, query: dict) -> Reply | None:
        base = self.base
        by_path = {s.path: s for s in TRAP_STORIES}
        if path == "/":
            pager = (f'<a href="{TRAP_SECTION}">Local news</a> <a href="/2026/11/">November archive</a> '
                     '<a href="/calendar/?month=2026-11">Calendar</a>')
            return html_reply(listing_html("The Trap Times", base, "/", TRAP_STORIES[:2], pager=pager))
        if path in by_path:
            return html_reply(story_html(by_path[path], base))
        if path == TRAP_SECTION:
            number = int(query.get("page", ["1"])[0])
            shown = TRAP_STORIES if number == 1 else []
            pager = f'<a rel="next" href="{TRAP_SECTION}?page={number + 1}">Next</a>'
            return html_reply(listing_html(f"Local news, page {number}", base, path, shown, pager=pager))
        m = re.fullmatch(r"/(\d{4})/(\d{2})/", path)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            pager = f'<a href="/{year}/{month:02d}/">Previous month</a>'
            return html_reply(listing_html(f"Archive {m.group(1)}-{m.group(2)}", base, path, [], pager=pager))
        if path == "/calendar/":
            month = query.get("month", ["2026-11"])[0]
            year, mon = (int(x) for x in month.split("-"))
            year, mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
            pager = f'<a href="/calendar/?month={year}-{mon:02d}">Earlier</a>'
            return html_reply(listing_html("Calendar", base, path, [], pager=pager))
        return None

    def _generic(self, path: str, query: dict) -> Reply | None:
        base = self.base
        if path == "/sitemap.xml":
            urls = [*GENERIC_PAGES, *GENERIC_LISTINGS]
            body = "".join(f"<url><loc>{escape(base + u)}</loc></url>\n" for u in urls)
            return _xml('<?xml version="1.0" encoding="UTF-8"?>\n'
                        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}</urlset>\n')
        teasers = [Story(p, t, "2026-11-26", "news") for p, (t, _, _) in GENERIC_PAGES.items()]
        if path in GENERIC_LISTINGS:
            return html_reply(listing_html("News" if path != "/" else "Home", base, path, teasers))
        if path in GENERIC_PAGES:
            title, og, ld = GENERIC_PAGES[path]
            extra = f'<meta property="og:type" content="{og}">' if og else ""
            if ld:
                extra += f'<script type="application/ld+json">{{"@type": "{ld}", "name": "{title}"}}</script>'
            paragraphs = "".join(f"<p>{p}</p>\n" for p in _PARAGRAPHS)
            return html_reply(f"{_head(title, base, path, extra)}<body>{_nav()}<main><h1>{escape(title)}</h1>"
                              f"{paragraphs}</main></body></html>\n")
        return None
