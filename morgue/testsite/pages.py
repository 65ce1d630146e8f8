"""HTML pages of the test site: article pages in five CMS dialects, plus fronts.

Every function returns text (``str``); the server encodes it. Article pages
come back with the boilerplate markers of their widgets, which become the
``boilerplate`` expectations of ``NewsSite.articles``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from html import escape

from morgue.testsite import widgets
from morgue.testsite.articles import (
    BROKEN_PATH,
    GONE_PATH,
    HUGE_PATH,
    PRIVATE_PATH,
    REDIRECT_PATH,
    REFRESH_PATH,
    REFRESH_TARGET,
    SECTIONS,
    SITE_NAME,
    STORIES,
    STORY_BY_PATH,
    Story,
)

_INLINE_LINK = re.compile(r"\[([^\]]+)\]\((/[^)\s]*)\)")


@dataclass(frozen=True)
class ArticlePage:
    html: str
    markers: tuple[str, ...]


def _text(value: str) -> str:
    """Escape prose and turn ``[text](/path)`` into a link."""
    out, last = [], 0
    for match in _INLINE_LINK.finditer(value):
        out.append(escape(value[last : match.start()], quote=False))
        out.append(f'<a href="{escape(match[2])}">{escape(match[1], quote=False)}</a>')
        last = match.end()
    out.append(escape(value[last:], quote=False))
    return "".join(out)


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def _day(when: datetime) -> str:
    """``20 November 2026``: strftime has no portable day without a leading zero."""
    return f"{when.day} {when:%B %Y}"


def _head(
    title: str,
    base: str,
    path: str,
    *,
    description: str = "",
    charset: str | None = "utf-8",
    feed: bool = True,
    extra: str = "",
) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="en-GB">', "<head>"]
    if charset:
        parts.append(f'<meta charset="{charset}">')
    parts += [
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
    ]
    if description:
        parts.append(f'<meta name="description" content="{escape(description)}">')
    parts.append(f'<link rel="canonical" href="{escape(base + path)}">')
    if feed:
        parts.append(
            f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" '
            'href="/feed/">'
        )
    parts += [extra, widgets.tracking_scripts(), "</head>"]
    return "\n".join(p for p in parts if p)


def _story_meta(story: Story, base: str) -> str:
    """Open Graph, article:* and JSON-LD for an article page."""
    url = base + story.path
    image = base + story.image if story.image else ""
    metas = [
        ('property="og:locale"', "en_GB"),
        ('property="og:type"', "article"),
        ('property="og:title"', story.title),
        ('property="og:description"', story.dek),
        ('property="og:url"', url),
        ('property="og:site_name"', SITE_NAME),
    ]
    if image:
        metas.append(('property="og:image"', image))
    if story.published:
        metas += [
            ('property="article:published_time"', story.published),
            ('property="article:modified_time"', story.published),
        ]
    metas.append(('property="article:section"', SECTIONS[story.section]))
    metas += [('property="article:tag"', tag) for tag in story.tags]
    metas += [
        ('name="author"', story.author.name),
        ('name="twitter:card"', "summary_large_image"),
        ('name="twitter:title"', story.title),
    ]
    lines = [f'<meta {attr} content="{escape(value)}">' for attr, value in metas]
    if story.json_ld:
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "description": story.dek,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "author": [{"@type": "Person", "name": story.author.name}],
            "publisher": {
                "@type": "NewsMediaOrganization",
                "name": SITE_NAME,
                "logo": {"@type": "ImageObject", "url": base + "/logo.png"},
            },
            "articleSection": SECTIONS[story.section],
            "keywords": list(story.tags),
            "inLanguage": "en-GB",
        }
        if image:
            data["image"] = [image]
        if story.published:
            data["datePublished"] = story.published
            data["dateModified"] = story.published
        lines.append(
            '<script type="application/ld+json">'
            + json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
            + "</script>"
        )
    return "\n".join(lines)


def _read_more(path: str, cms: str) -> widgets.Widget:
    target = STORY_BY_PATH[path]
    link = f'<a href="{escape(path)}">{escape(target.title)}</a>'
    if cms == "tagdiv":
        html = f'<blockquote class="td_quote_box td_box_center"><p>Read more: {link}</p></blockquote>'
    elif cms == "newsroom":
        html = f'<div data-component="links-block"><p><b>Read more:</b> {link}</p></div>'
    else:
        html = f"<p><strong>Read more:</strong> {link}</p>"
    return widgets.Widget(html, ("Read more:", target.title))


def _body(story: Story, collect: list[str]) -> str:
    """The article text with in-body boilerplate (read-more lines, adverts, CTA)."""
    out: list[str] = []
    paragraphs = 0
    ad_slot = 0
    for kind, value in story.blocks:
        if kind == "p":
            paragraphs += 1
            if story.cms == "newsroom":
                out.append(f'<div data-component="text-block"><p>{_text(value)}</p></div>')
            else:
                out.append(f"<p>{_text(value)}</p>")
            if "ads" in story.widgets and paragraphs in (2, 5):
                ad_slot += 1
                ad = widgets.advert(ad_slot, "tagdiv" if story.cms == "tagdiv" else "plain")
                out.append(ad.html)
                collect.extend(ad.markers)
        elif kind == "h2":
            attr = ' data-component="subheadline-block"' if story.cms == "newsroom" else ""
            out.append(f"<h2{attr}>{escape(value, quote=False)}</h2>")
        elif kind == "readmore":
            more = _read_more(value, story.cms)
            out.append(more.html)
            collect.extend(more.markers)
        else:
            raise ValueError(f"unknown body block {kind!r} in {story.path}")
    if "social" in story.widgets:
        cta = widgets.social_cta()
        out.append(cta.html)
        collect.extend(cta.markers)
    return "\n".join(out)


def _others(story: Story, count: int, offset: int = 0) -> list[tuple[str, str]]:
    """Linked stories other than ``story``, for related and popular lists."""
    pool = [s for s in STORIES if s.linked and s.path != story.path]
    pool = pool[offset:] + pool[:offset]
    return [(s.path, s.title) for s in pool[:count]]


def _article_markup(story: Story, body: str, top: str, collect: list[str]) -> str:
    """The article element in the dialect of ``story.cms``."""
    name = escape(story.author.name)
    section = SECTIONS[story.section]
    when = _when(story.published) if story.published else None
    figure = ""
    if story.image:
        figure = (
            f'<figure class="wp-block-image size-large"><img src="{escape(story.image)}" '
            f'alt="" width="1024" height="683"><figcaption>{escape(story.dek)}</figcaption></figure>'
        )
    tags = "".join(
        f'<li><a href="/tag/{escape(t.replace(" ", "-"))}/" rel="tag">{escape(t)}</a></li>'
        for t in story.tags
    )
    if story.cms == "wordpress":
        date = (
            f' <span class="posted-on">Posted on <time class="entry-date published" '
            f'datetime="{story.published}">{_day(when)}</time></span>'
            if when
            else ""
        )
        return (
            f'<article id="post-{story.post_id}" class="post-{story.post_id} post type-post '
            f'status-publish format-standard has-post-thumbnail hentry category-{story.section}">'
            '<header class="entry-header">'
            f'<div class="entry-categories"><a href="/{story.section}/" rel="category tag">{section}'
            f'</a></div><h1 class="entry-title">{escape(story.title)}</h1>'
            f'<div class="entry-meta"><span class="byline">By <span class="author vcard">'
            f'<span class="fn n">{name}</span></span></span>{date}</div></header>'
            f'{top}<div class="entry-content">'
            f'<p class="has-medium-font-size"><strong>{escape(story.dek)}</strong></p>'
            f"{figure}{body}</div>"
            f'<footer class="entry-footer"><span class="tags-links">Tags: <ul>{tags}</ul></span>'
            "</footer></article>"
        )
    if story.cms == "tagdiv":
        date = (
            f'<span class="td-post-date"><time class="entry-date updated td-module-date" '
            f'datetime="{story.published}">{when:%B} {when.day}, {when.year}</time></span>'
            if when
            else ""
        )
        collect.append("2,114 views")
        return (
            f'<article id="post-{story.post_id}" class="post-{story.post_id} post type-post '
            f'status-publish format-standard" itemscope itemtype="https://schema.org/Article">'
            '<div class="td-post-header"><ul class="td-category"><li class="entry-category">'
            f'<a href="/{story.section}/">{section}</a></li></ul>'
            f'<header class="td-post-title"><h1 class="entry-title">{escape(story.title)}</h1>'
            f'<p class="td-post-sub-title">{escape(story.dek)}</p>'
            '<div class="td-module-meta-info"><div class="td-post-author-name">'
            f'<div class="td-author-by">By</div> <span>{name}</span>'
            f'<div class="td-author-line"> - </div></div>{date}'
            '<div class="td-post-views"><i class="td-icon-views"></i>'
            f'<span class="td-nr-views-{story.post_id}">2,114 views</span></div>'
            f"</div></header></div>{top}"
            f'<div class="td-post-featured-image">{figure}</div>'
            f'<div class="td-post-content tagdiv-type">{body}</div>'
            f'<footer><div class="td-post-source-tags"><ul class="td-tags td-post-small-box '
            f'clearfix"><li><span>TAGS</span></li>{tags}</ul></div></footer></article>'
        )
    if story.cms == "drupal":
        date = (
            f' <span class="field field--name-created field--type-created field--label-hidden">'
            f"{when:%a, %m/%d/%Y - %H:%M}</span>"
            if when
            else ""
        )
        return (
            f'<article role="article" about="/node/{story.post_id}" class="node '
            'node--type-article node--promoted node--view-mode-full">'
            f'<h1 class="page-title"><span class="field field--name-title field--type-string '
            f'field--label-hidden">{escape(story.title)}</span></h1>'
            '<footer class="node__meta"><div class="node__submitted">Submitted by '
            f'<span class="field field--name-uid field--type-entity-reference field--label-hidden">'
            f"<span>{name}</span></span> on{date}</div></footer>"
            f'{top}<div class="node__content"><div class="clearfix text-formatted field '
            'field--name-body field--type-text-with-summary field--label-hidden field__item">'
            f'<p class="lead"><em>{escape(story.dek)}</em></p>{body}</div>'
            '<div class="field field--name-field-tags field--type-entity-reference '
            'field--label-above"><div class="field__label">Tags</div><div class="field__items">'
            + "".join(f'<div class="field__item">{escape(t)}</div>' for t in story.tags)
            + "</div></div></div></article>"
        )
    if story.cms == "ghost":
        date = (
            f'<time class="gh-article-meta-date" datetime="{story.published}">{when.day} {when:%b %Y}</time> '
            if when
            else ""
        )
        return (
            f'<article class="gh-article post tag-{story.section}">'
            '<header class="gh-article-header gh-canvas">'
            f'<a class="gh-article-tag" href="/{story.section}/">{section}</a>'
            f'<h1 class="gh-article-title" id="{story.path.strip("/").split("/")[-1]}">'
            f"{escape(story.title)}</h1>"
            f'<p class="gh-article-excerpt">{escape(story.dek)}</p>'
            '<div class="gh-article-meta"><div class="gh-article-meta-wrapper">'
            f'<h4 class="gh-article-author-name">By {name}</h4>'
            f'<div class="gh-article-meta-content">{date}'
            '<span class="gh-article-meta-length"><span class="bull">—</span> 4 min read</span>'
            f"</div></div></div>{top}</header>"
            f'<figure class="gh-article-image">{figure}</figure>'
            f'<section class="gh-content gh-canvas">{body}</section></article>'
        )
    if story.cms == "newsroom":
        date = (
            f'<time data-testid="timestamp" datetime="{story.published}">'
            f"{_day(when)}, {when:%H:%M} GMT</time>"
            if when
            else ""
        )
        return (
            '<article class="story" data-component="article">'
            '<header class="story__header"><nav class="breadcrumbs" aria-label="Breadcrumb">'
            f'<a href="/">Home</a> › <a href="/{story.section}/">{section}</a></nav>'
            f'<h1 class="story__headline" id="main-heading">{escape(story.title)}</h1>'
            f'<p class="story__standfirst">{escape(story.dek)}</p>'
            '<div class="story__byline" data-component="byline-block">'
            f'<span class="byline__name">By {name}</span>'
            f'<span class="byline__role">{escape(story.author.role)}</span>{date}</div>'
            f"</header>{top}{figure}"
            f'<div class="story__body article-body">{body}</div></article>'
        )
    raise ValueError(f"unknown cms {story.cms!r} for {story.path}")


def article(story: Story, base: str) -> ArticlePage:
    """The full page of one story and the boilerplate markers placed on it."""
    markers: list[str] = []

    def use(widget: widgets.Widget) -> str:
        markers.extend(widget.markers)
        return widget.html

    has = story.widgets.__contains__
    body = _body(story, markers)
    share_style = {"tagdiv": "tagdiv", "ghost": "ghost"}.get(story.cms, "jetpack")
    comment_count = len(story.comments) * 6 or 3
    share = use(widgets.share_buttons(story.shares, comment_count, share_style)) if has("share") else ""
    top = share if story.cms in ("tagdiv", "ghost") else ""
    bottom = "" if top else share

    # widgets collect their markers in the order they appear on the page
    skip = use(widgets.skip_link())
    cookie = use(widgets.cookie_banner()) if has("cookie") else ""
    header = use(widgets.site_header("/" + story.section + "/"))
    markup = _article_markup(story, body, top, markers)
    after = [bottom]
    if has("newsletter"):
        after.append(use(widgets.newsletter_box()))
    if has("donate"):
        after.append(use(widgets.donation_box()))
    if has("authorbox"):
        after.append(use(widgets.author_box(story.author)))
    if has("related"):
        heading = "Related articles" if story.cms == "tagdiv" else "Related stories"
        after.append(use(widgets.story_list(heading, _others(story, 3), "related-posts")))
    if has("comments"):
        when = _when(story.published) if story.published else None
        stamp = f"{_day(when)} at 11:02 am" if when else ""
        after.append(use(widgets.comment_section(story.comments, stamp)))
    sidebar = ""
    if has("popular"):
        popular = use(widgets.story_list("Most popular", _others(story, 4, offset=2), "widget popular-posts"))
        sidebar = f'<aside id="secondary" class="widget-area" role="complementary">{popular}</aside>'
    footer = use(widgets.site_footer())

    charset = story.encoding if story.charset_in_meta else None
    head = _head(
        f"{story.title} | {SITE_NAME}",
        base,
        story.path,
        description=story.dek,
        charset=charset,
        extra=_story_meta(story, base),
    )
    body_class = f"post-template-default single single-post postid-{story.post_id} cms-{story.cms}"
    html = (
        f'{head}\n<body class="{body_class}">\n{skip}\n{cookie}\n<div id="page" class="site">'
        f"{header}\n"
        f'<div id="content" class="site-content"><main id="main" class="site-main">\n'
        f"{markup}\n" + "\n".join(a for a in after if a) + "\n</main>"
        f"{sidebar}</div>\n{footer}\n</div></body></html>\n"
    )
    seen: dict[str, None] = dict.fromkeys(markers)
    return ArticlePage(html, tuple(seen))


def _page(title: str, base: str, path: str, main: str, *, feed: bool = True, nav: bool = True) -> str:
    head = _head(f"{title} | {SITE_NAME}" if path != "/" else f"{SITE_NAME} | {title}", base, path, feed=feed)
    header = (
        widgets.site_header(path).html
        if nav
        else (f'<header class="site-header"><p class="site-title"><a href="/">{SITE_NAME}</a></p></header>')
    )
    footer = (
        widgets.site_footer().html
        if nav
        else (
            '<footer class="site-footer"><a href="/about/">About us</a> · '
            '<a href="/contact/">Contact</a></footer>'
        )
    )
    return (
        f'{head}\n<body class="page">\n{widgets.skip_link().html}\n<div id="page" class="site">'
        f'{header}\n<div id="content" class="site-content"><main id="main" class="site-main">'
        f"\n{main}\n</main></div>\n{footer}\n</div></body></html>\n"
    )


def _teaser(story: Story, with_dek: bool = True) -> str:
    dek = f'<p class="teaser__dek">{escape(story.dek)}</p>' if with_dek else ""
    return (
        f'<article class="teaser teaser--{story.section}"><h3 class="teaser__title">'
        f'<a href="{escape(story.path)}">{escape(story.title)}</a></h3>{dek}'
        f'<span class="teaser__byline">By {escape(story.author.name)}</span></article>'
    )


def home(base: str) -> str:
    """Front page: top stories, section blocks, a members-only teaser."""
    top = [
        STORY_BY_PATH[p]
        for p in (
            "/2026/11/20/city-council-approves-new-budget/",
            "/2026/11/19/offshore-wind-farm-wins-approval/",
            "/science/2026/11/18/telescope-finds-water-vapour-12345.html",
            "/2026/11/17/river-defences-hold-as-floods-peak/",
        )
    ]
    blocks = "".join(
        f'<section class="front-section"><h2><a href="/{key}/">{label}</a></h2>'
        f'<p><a class="more-link" href="/{key}/">More {label.lower()} news</a></p></section>'
        for key, label in SECTIONS.items()
    )
    main = (
        '<section class="top-stories"><h2>Top stories</h2>'
        + "".join(_teaser(s) for s in top)
        + "</section>"
        + blocks
        + '<section class="members"><h2>For members</h2>'
        f'<p><a href="{PRIVATE_PATH}">Members only: inside the council\'s closed-door budget '
        "talks</a></p></section>"
        '<section class="climate-hub"><h2><a href="/tag/climate/">Climate</a></h2>'
        "<p>Floods, energy and the future of the Alder valley.</p></section>"
    )
    return _page("News from Eastbridge and the Alder valley", base, "/", main)


def listing(title: str, base: str, path: str, stories: list[Story], extra: list[tuple[str, str]]) -> str:
    """A section or tag page: teasers for its stories plus a few other links."""
    items = "".join(_teaser(s) for s in stories)
    links = "".join(f'<li><a href="{escape(p)}">{escape(t)}</a></li>' for p, t in extra)
    more = ""
    if links:
        more = f'<section class="also"><h2>Also in {escape(title)}</h2><ul>{links}</ul></section>'
    main = (
        f'<header class="page-header"><h1 class="page-title">{escape(title)}</h1></header>'
        f'<div class="archive-list">{items}</div>{more}'
        '<nav class="pagination"><span class="page-numbers current">1</span></nav>'
    )
    return _page(title, base, path, main)


def section(key: str, base: str) -> str:
    stories = [s for s in STORIES if s.linked and s.section == key]
    extra: list[tuple[str, str]] = []
    if key == "politics":
        extra = [
            (HUGE_PATH, "Council data explorer: spending by ward"),
            (REDIRECT_PATH, "From the archive: how the city budget works"),
            (REFRESH_PATH, "From the archive: when the library opens"),
        ]
    elif key == "culture":
        extra = [
            (BROKEN_PATH, "Photo gallery: autumn in the Alder valley"),
            (GONE_PATH, "Theatre season opens with a sold-out premiere"),
        ]
    return listing(SECTIONS[key], base, f"/{key}/", stories, extra)


def tag(name: str, base: str) -> str:
    stories = [s for s in STORIES if s.linked and name in s.tags]
    return listing(name.capitalize(), base, f"/tag/{name}/", stories, [])


STATIC_PAGES = {
    "/about/": (
        "About us",
        f"{SITE_NAME} has reported on Eastbridge since 1887, as an independent newsroom owned by "
        + "a readers' trust.",
    ),
    "/contact/": ("Contact", "Send news tips to the newsdesk, or write to us at 1 Quay Street, Eastbridge."),
    "/privacy-policy/": (
        "Privacy policy",
        "We keep as little data about readers as we can. This page explains what we collect and why.",
    ),
    "/donate/": ("Support the Gazette", "Your support keeps our reporting free for everyone."),
    "/newsletter/": ("Newsletters", "Choose the newsletters you would like to receive."),
}


def static(path: str, base: str, *, full: bool = True) -> str:
    title, text = STATIC_PAGES[path]
    main = f'<h1 class="page-title">{escape(title)}</h1><p>{escape(text)}</p>'
    return _page(title, base, path, main, feed=full, nav=full)


def bare_home(base: str) -> str:
    """Home page of a site with no articles, feed or sitemap (variant ``no-articles``)."""
    main = (
        '<h1 class="page-title">Welcome</h1>'
        "<p>This is the home page of a small community organisation. We do not publish "
        "news here; see the pages below to learn who we are and how to reach us.</p>"
    )
    return _page("Welcome", base, "/", main, feed=False, nav=False)


def private(base: str) -> str:
    main = (
        '<article class="post"><h1 class="entry-title">Inside the closed-door budget talks</h1>'
        "<p>This page is disallowed by robots.txt. A polite crawler never requests it.</p></article>"
    )
    return _page("Inside the closed-door budget talks", base, PRIVATE_PATH, main)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def refresh(base: str) -> str:
    """A long page (about 30 kB) that moved: a meta refresh in its head, the old archive below."""
    refresh_tag = f'<meta http-equiv="refresh" content="0; url={REFRESH_TARGET}">'
    head = _head("Library opening hours", base, REFRESH_PATH, extra=refresh_tag)
    archive = "".join(f"<li>Notice {n}: the library closes early on {1 + n % 28} {_MONTHS[n % 12]}.</li>"
                      for n in range(500))
    return (f'{head}\n<body><p>This page has moved to <a href="{REFRESH_TARGET}">library opening hours</a>.'
            f"</p><ul>{archive}</ul></body></html>\n")


def notice(base: str) -> str:
    main = ('<h1 class="page-title">Library opening hours</h1>'
            "<p>The central library is open from 9 to 18 on weekdays and from 10 to 16 on Saturdays.</p>")
    return _page("Library opening hours", base, REFRESH_TARGET, main)


def huge(base: str, size: int) -> str:
    """A data page of about ``size`` characters, most of it an embedded JSON blob.

    Oversized pages in the wild are usually app state or inline data, not prose:
    this one has a short intro and table, so it is not an article either.
    """
    rows = "".join(f"<tr><td>Ward {n}</td><td>{(n * 7919) % 100000} GBP</td></tr>" for n in range(1, 21))
    blob = "@@DATA@@"
    main = (
        '<h1 class="page-title">Council data explorer: spending by ward</h1>'
        "<p>Use the explorer to browse every payment the council made last year, ward by ward.</p>"
        f'<table class="data-preview">{rows}</table>'
        f'<script id="__NEXT_DATA__" type="application/json">{blob}</script>'
    )
    before, after = _page("Council data explorer", base, HUGE_PATH, main).split(blob)
    records: list[str] = []
    length = len(before) + len(after) + 20
    n = 0
    while length < size:
        n += 1
        record = (
            f'{{"ward":{n % 41},"line":"L{n:06d}","payee":"Supplier {n % 997}",'
            f'"amount":{(n * 104729) % 1000000 / 100:.2f}}}'
        )
        records.append(record)
        length += len(record) + 1
    return before + '{"payments":[' + ",".join(records) + "]}" + after


def error(status: int, reason: str, message: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{status} {reason}'
        f"</title></head><body><h1>{reason}</h1><p>{escape(message)}</p>"
        '<p><a href="/">Back to the home page</a></p></body></html>\n'
    )
