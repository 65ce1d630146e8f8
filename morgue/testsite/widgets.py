"""Boilerplate blocks news pages wrap around an article.

Each function returns a :class:`Widget`: its HTML and the ``markers``, the
strings a good text extractor must leave out. Rendering and markers live side
by side so the test expectations can never drift from the page.

No link leaves the site: share and follow buttons use ``#`` anchors or
non-HTTP schemes, so a crawler that follows everything still only ever talks
to 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from morgue.testsite.articles import SITE_NAME, Author


@dataclass(frozen=True)
class Widget:
    html: str
    markers: tuple[str, ...] = ()


def skip_link() -> Widget:
    return Widget(
        '<a class="skip-link screen-reader-text" href="#content">Skip to content</a>',
        ("Skip to content",),
    )


def cookie_banner() -> Widget:
    text = (
        "We use cookies to improve your experience on our website. By browsing this "
        "website, you agree to our use of cookies."
    )
    html = (
        '<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cookie-revoke-hidden '
        'cn-position-bottom" aria-label="Cookie Notice"><div class="cookie-notice-container">'
        f'<span id="cn-notice-text" class="cn-text-container">{text}</span>'
        '<span id="cn-notice-buttons" class="cn-buttons-container">'
        '<a href="#" id="cn-accept-cookie" data-cookie-set="accept" '
        'class="cn-set-cookie cn-button" aria-label="Accept all">Accept all</a>'
        '<a href="/privacy-policy/" target="_blank" id="cn-more-info" '
        'class="cn-more-info cn-button">Privacy policy</a></span></div></div>'
    )
    return Widget(html, ("We use cookies to improve your experience", "Accept all"))


def share_buttons(shares: str, comment_count: int, style: str = "jetpack") -> Widget:
    """Share row with counters; ``style`` follows the CMS (jetpack, tagdiv or ghost)."""
    comments = f"{comment_count} comment" + ("" if comment_count == 1 else "s")
    if style == "tagdiv":
        html = (
            '<div class="td-post-sharing td-ps-bg td-ps-notext td-post-sharing-style1">'
            '<div class="td-post-sharing-visible">'
            '<a class="td-social-sharing-button td-social-sharing-button-js td-social-network '
            'td-social-facebook" href="#" data-share="facebook">'
            '<div class="td-social-but-icon"><i class="td-icon-facebook"></i></div>'
            f'<div class="td-social-but-text">Share {shares}</div></a>'
            '<a class="td-social-sharing-button td-social-sharing-button-js td-social-network '
            'td-social-twitter" href="#" data-share="twitter">'
            '<div class="td-social-but-text">Tweet</div></a>'
            '<a class="td-social-sharing-button td-social-whatsapp" href="whatsapp://send?text=">'
            '<div class="td-social-but-text">WhatsApp</div></a>'
            f'<a class="td-social-comments" href="#comments">{comments}</a></div></div>'
        )
    elif style == "ghost":
        html = (
            '<div class="gh-share"><span class="gh-share-label">Share this article</span>'
            f'<button class="gh-share-btn" data-network="facebook">Share {shares}</button>'
            '<button class="gh-share-btn" data-network="x">Tweet</button>'
            '<button class="gh-share-btn gh-copy-link">Copy link</button>'
            f'<a class="gh-comment-count" href="#comments">{comments}</a></div>'
        )
        return Widget(html, (f"Share {shares}", "Tweet", "Copy link", comments))
    else:
        html = (
            '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block '
            'sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3>'
            '<div class="sd-content"><ul>'
            '<li class="share-facebook"><a rel="nofollow noopener noreferrer" '
            'class="share-facebook sd-button share-icon" href="#" data-shared="sharing-facebook">'
            f'<span>Share <span class="share-count">{shares}</span></span></a></li>'
            '<li class="share-twitter"><a rel="nofollow noopener noreferrer" '
            'class="share-twitter sd-button share-icon" href="#" data-shared="sharing-twitter">'
            "<span>Tweet</span></a></li>"
            f'<li class="share-comments"><a href="#comments">{comments}</a></li>'
            '<li class="share-end"></li></ul></div></div></div>'
        )
        return Widget(html, ("Share this:", "Tweet", comments))
    return Widget(html, (f"Share {shares}", "Tweet", comments))


def social_cta() -> Widget:
    """Follow-us call to action, placed inside the article body as sites do."""
    html = (
        '<p class="cta-social"><strong>Follow us on Telegram</strong> for breaking news '
        'alerts: <a href="tg://resolve?domain=morguegazette">t.me/morguegazette</a>. '
        'You can also <a href="whatsapp://channel/0029VaMorgueGazette">join our WhatsApp '
        'channel</a> or <a href="#follow-x" data-network="x">follow us on X</a>.</p>'
    )
    return Widget(html, ("Follow us on Telegram", "join our WhatsApp channel", "follow us on X"))


def newsletter_box() -> Widget:
    html = (
        '<div class="newsletter-signup" id="newsletter">'
        '<h3 class="newsletter-signup__title">Sign up for The Morning Brief</h3>'
        '<p class="newsletter-signup__text">The day\'s most important stories from '
        "Eastbridge, in your inbox before 7am.</p>"
        '<form class="newsletter-signup__form" action="/newsletter/" method="post">'
        '<label for="nl-email">Enter your email address</label>'
        '<input type="email" id="nl-email" name="email" required>'
        '<button type="submit">Subscribe</button></form>'
        '<p class="newsletter-signup__legal">By signing up you agree to our privacy policy. '
        "You can unsubscribe at any time.</p></div>"
    )
    return Widget(
        html,
        ("Sign up for The Morning Brief", "in your inbox before 7am", "Enter your email address"),
    )


def donation_box() -> Widget:
    html = (
        '<aside class="support-box" aria-label="Support us">'
        "<h3>Support independent journalism</h3>"
        f"<p>{SITE_NAME} is funded by readers like you. No billionaire owner, no paywall: "
        "just reporting that holds the powerful to account.</p>"
        '<a class="support-box__button" href="/donate/">Donate now from £2 a month</a></aside>'
    )
    return Widget(html, ("Support independent journalism", "funded by readers like you", "Donate now"))


def advert(slot: int, style: str = "plain") -> Widget:
    label = "- Advertisement -" if style == "tagdiv" else "Advertisement"
    html = (
        f'<div class="ad-slot ad-slot--inline" id="ad-slot-{slot}" '
        f'data-ad-unit="/2164/gazette/article_inline_{slot}">'
        f'<span class="ad-label">{label}</span>'
        f'<div id="div-gpt-ad-{slot}" style="min-height:250px"></div></div>'
    )
    return Widget(html, ("Advertisement",))


def story_list(heading: str, items: list[tuple[str, str]], css: str) -> Widget:
    """A related or most-popular list; the linked titles are markers too."""
    lis = "".join(f'<li><a href="{escape(path)}">{escape(title)}</a></li>' for path, title in items)
    html = f'<section class="{css}"><h2 class="widget-title">{escape(heading)}</h2><ol>{lis}</ol></section>'
    return Widget(html, (heading, *(title for _, title in items)))


def author_box(author: Author) -> Widget:
    html = (
        '<div class="author-box"><div class="author-box__avatar" aria-hidden="true"></div>'
        f'<div class="author-box__text"><h4>About {escape(author.name)}</h4>'
        f"<p>{escape(author.bio)}</p>"
        '<a class="author-box__more" href="#">View all posts</a></div></div>'
    )
    return Widget(html, (author.bio, "View all posts"))


def comment_section(comments: tuple[tuple[str, str], ...], when: str) -> Widget:
    """Reader comments plus the WordPress reply form (tagDiv-theme warnings included)."""
    items = "".join(
        f'<li class="comment even thread-even depth-1" id="comment-{n}">'
        f'<article class="comment-body"><footer class="comment-meta">'
        f'<div class="comment-author vcard"><b class="fn">{escape(name)}</b> '
        '<span class="says">says:</span></div>'
        f'<div class="comment-metadata"><a href="#comment-{n}">{escape(when)}</a></div>'
        "</footer>"
        f'<div class="comment-content"><p>{escape(text)}</p></div>'
        '<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#respond">'
        "Reply</a></div></article></li>"
        for n, (name, text) in enumerate(comments, start=101)
    )
    listing = ""
    if comments:
        count = len(comments)
        listing = (
            f'<h2 class="comments-title">{count} thought{"" if count == 1 else "s"} on this story</h2>'
            f'<ol class="comment-list">{items}</ol>'
        )
    html = (
        f'<div id="comments" class="comments-area">{listing}'
        '<div id="respond" class="comment-respond">'
        '<h3 id="reply-title" class="comment-reply-title">Leave a Reply '
        '<small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" '
        'style="display:none;">Cancel reply</a></small></h3>'
        '<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">'
        '<p class="comment-notes"><span id="email-notes">Your email address will not be '
        "published.</span> Required fields are marked *</p>"
        '<div class="comment-form-input-wrap td-form-comment">'
        '<textarea placeholder="Comment:" id="comment" name="comment" cols="45" rows="8" '
        'aria-required="true"></textarea>'
        '<div class="td-warning-comment">Please enter your comment!</div></div>'
        '<div class="comment-form-input-wrap td-form-author">'
        '<input id="author" name="author" placeholder="Name:*" type="text" size="30">'
        '<div class="td-warning-author">Please enter your name here</div></div>'
        '<div class="comment-form-input-wrap td-form-email">'
        '<input id="email" name="email" placeholder="Email:*" type="text" size="30">'
        '<div class="td-warning-email-error">You have entered an incorrect email address!</div>'
        '<div class="td-warning-email">Please enter your email address here</div></div>'
        '<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" '
        'name="wp-comment-cookies-consent" type="checkbox" value="yes">'
        '<label for="wp-comment-cookies-consent">Save my name, email, and website in this '
        "browser for the next time I comment.</label></p>"
        '<p class="form-submit"><input name="submit" type="submit" id="submit" '
        'class="submit" value="Post Comment"></p></form></div></div>'
    )
    markers = (
        "Leave a Reply",
        "Please enter your comment!",
        "Please enter your name here",
        "Save my name, email, and website in this browser",
        *(text for _, text in comments),
    )
    return Widget(html, markers)


def site_header(current: str = "") -> Widget:
    """Masthead, main menu and search box, shared by every page."""
    links = [
        ("/", "Home"),
        ("/politics/", "Politics"),
        ("/science/", "Science"),
        ("/culture/", "Culture"),
        ("/tag/climate/", "Climate"),
    ]
    items = "".join(
        f'<li class="menu-item{" current-menu-item" if path == current else ""}">'
        f'<a href="{path}">{label}</a></li>'
        for path, label in links
    )
    html = (
        '<header id="masthead" class="site-header" role="banner">'
        f'<div class="site-branding"><p class="site-title"><a href="/" rel="home">{SITE_NAME}</a>'
        '</p><p class="site-description">News from Eastbridge and the Alder valley</p></div>'
        '<nav id="site-navigation" class="main-navigation" aria-label="Main menu">'
        f'<ul id="primary-menu" class="menu">{items}</ul></nav>'
        '<form role="search" method="get" class="search-form" action="/">'
        '<label><span class="screen-reader-text">Search for:</span>'
        '<input type="search" class="search-field" placeholder="Search &hellip;" name="s">'
        '</label><input type="submit" class="search-submit" value="Search"></form></header>'
    )
    return Widget(html, ("News from Eastbridge and the Alder valley", "Search for:"))


def site_footer() -> Widget:
    html = (
        '<footer id="colophon" class="site-footer" role="contentinfo">'
        '<nav class="footer-navigation" aria-label="Footer"><ul>'
        '<li><a href="/about/">About us</a></li><li><a href="/contact/">Contact</a></li>'
        '<li><a href="/privacy-policy/">Privacy policy</a></li>'
        '<li><a href="/donate/">Support the Gazette</a></li></ul></nav>'
        f'<div class="site-info">© {SITE_NAME}. All rights reserved. '
        "Registered office: 1 Quay Street, Eastbridge.</div></footer>"
    )
    return Widget(html, ("All rights reserved", "Registered office: 1 Quay Street"))


def tracking_scripts() -> str:
    """Inline scripts and styles every page carries; extractors must drop them."""
    return (
        "<style>.screen-reader-text{position:absolute;clip:rect(1px,1px,1px,1px)}"
        ".ad-slot{margin:2em 0;text-align:center}</style>"
        "<script>window.dataLayer=window.dataLayer||[];"
        "function gtag(){dataLayer.push(arguments);}gtag('js',new Date());"
        "gtag('config','G-MORGUE000');</script>"
    )
