"""Remove boilerplate containers from the parsed page before any extractor sees it.

Matched on class/id name parts (split at spaces, '-' and '_'), so "share-buttons" and
"post_related" match but "shareholder" and "unrelated-content" do not. A container that
holds the article itself (the page's <h1>, an articleBody, most of the prose, an embedded post) is never
removed, whatever its name: wrappers named "post-with-comments" exist.

Newsletter, login and comment boxes often have no telling name; they are found by their form (one that
asks for an e-mail address, a password or a comment) and go with the little text around it.
"""

from __future__ import annotations

import re

from lxml import etree

# Name parts of boxes that are boilerplate wherever they sit.
_BOX = re.compile(
    r"(?:^|[\s_-])(?:"
    r"share|sharing|sharebar|shares|social|sociable|addthis|sharedaddy|shariff|a2a|"
    r"related|relatedposts|yarpp|recommended|recommendations|outbrain|taboola|"
    r"newsletter|newsletters|subscribe|subscription|signup|optin|mc4wp|"
    r"comments|comment|respond|commentlist|disqus|"
    r"authorbox|author-box|author-bio|about-author|"
    r"cookie|cookies|consent|gdpr|"
    r"donate|donation|"
    r"advert|advertisement|adsbygoogle|ad|ads|adslot|adunit|dfp|sponsor|sponsored|"
    r"breadcrumb|breadcrumbs|print-only|sr-only|screen-reader-text"
    r")(?:$|[\s_-])",
    re.IGNORECASE,
)
_PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})
# Embedded posts (tweets, Instagram, TikTok, Mastodon) quoted by the story are part of it, though
# their wrappers are often named "social-embed".
_EMBEDDED_POST = etree.XPath(
    ".//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')"
    " or contains(@class, 'tiktok-embed') or contains(@class, 'mastodon-embed')]"
)


# Forms that ask for an e-mail address, a password or a comment: newsletter, login and comment boxes.
_INPUT_FORM = etree.XPath(".//input[@type='email' or @type='password'] | .//textarea")


def prune_boxes(tree: etree._Element, page_chars: int, form_box_chars: int) -> int:
    """Drop matching boxes that are small next to the page's prose; return how many.

    Boxes without a telling name go too when they hold a form asking for an e-mail address, a password
    or a comment and little text besides (at most ``form_box_chars``): the heading and the blurb of a
    newsletter, login or comment box go with the form.
    """
    removed = 0
    for el in list(tree.iter("div", "section", "aside", "ul", "ol", "form", "figure", "nav", "footer")):
        if el.getparent() is None:
            continue  # already inside a removed box
        names = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not names.strip() or not _BOX.search(names):
            continue
        if _holds_article(el, page_chars):
            continue
        _remove(el)
        removed += 1
    for form in list(tree.iter("form")):
        if form.getroottree().getroot() is not tree or not _INPUT_FORM(form):
            continue  # inside a removed box, or a search form
        box = form
        while (parent := box.getparent()) is not None and parent.tag not in _PROTECTED_TAGS:
            if len(parent.text_content()) > form_box_chars:
                break
            box = parent
        if box.getparent() is not None and len(box.text_content()) <= form_box_chars and not _holds_article(box, 0):
            _remove(box)
            removed += 1
    return removed


def _remove(el: etree._Element) -> None:
    """Remove an element, keeping its tail text (which belongs to the parent)."""
    el.getparent().remove(el) if not el.tail or not el.tail.strip() else el.drop_tree()


def unmask_embedded_posts(tree: etree._Element) -> int:
    """Strip the class/id names of embedded posts and of their wrappers; return how many posts.

    Extractors discard ``twitter-tweet`` blockquotes and their ``social-embed`` wrappers by name, but a
    post the story quotes is part of the story. Wrappers go up only while they hold nothing but the post.
    """
    posts = _EMBEDDED_POST(tree)
    for post in posts:
        text = post.text_content().strip()
        el = post
        while el is not None and el.tag not in _PROTECTED_TAGS and el.text_content().strip() == text:
            for name in ("class", "id"):
                el.attrib.pop(name, None)
            el = el.getparent()
    return len(posts)


def _holds_article(el: etree._Element, page_chars: int) -> bool:
    if el.tag in _PROTECTED_TAGS:
        return True
    if el.find(".//h1") is not None or el.find('.//*[@itemprop="articleBody"]') is not None:
        return True
    if el.find(".//article") is not None or _EMBEDDED_POST(el):
        return True
    return page_chars > 0 and len(el.text_content()) > 0.4 * page_chars
