"""Why a crawl found nothing, told from its stats: pure functions, one line each.

The same reasons that make an empty crawl fail are warnings when they hit
only part of a crawl, so a user learns of a half-blocked site too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from morgue import meta


@dataclass
class Verdict:
    ok: bool
    reason: str = ""  # one line; empty when ok
    warnings: list[str] = field(default_factory=list)


def _status_counts(stats: dict) -> dict[int, int]:
    prefix = "downloader/response_status_count/"
    return {int(k[len(prefix):]): v for k, v in stats.items() if k.startswith(prefix)}


def diagnose(stats: dict, site: str, user_agent: str = "morgue") -> Verdict:
    articles = stats.get(meta.TEXT_RECORDS, 0)
    statuses = _status_counts(stats)
    responses = sum(statuses.values())
    forbidden, limited = statuses.get(403, 0), statuses.get(429, 0)
    blocked = forbidden + limited
    warnings = []
    block_line = (
        f"{site} answered 403 to {forbidden} and 429 to {limited} of {responses} requests: "
        "it may be blocking crawlers; try a slower rate (-s DOWNLOAD_DELAY=5) "
        "and a contact address in the User-Agent (-s MORGUE_CONTACT=https://your.site/contact)"
    )
    robots_forbidden = stats.get("robotstxt/forbidden", 0)
    if articles:
        if responses and blocked > 0.2 * responses:
            warnings.append(block_line)
        if robots_forbidden > 0.2 * (responses + robots_forbidden):
            warnings.append(f"robots.txt forbade {robots_forbidden} requests to {site}")
        if stats.get(meta.HOME_REDIRECTED_OFFSITE):
            warnings.append(f"the home page of {site} redirected off the site to "
                            f"{stats[meta.HOME_REDIRECTED_OFFSITE]}: only its sitemaps and feeds were used")
        if stats.get(meta.EXTRACT_EMPTY):
            warnings.append(f"{stats[meta.EXTRACT_EMPTY]} article pages gave no article text")
        if stats.get(meta.DISCOVERY_ERRORS):
            warnings.append(f"{stats[meta.DISCOVERY_ERRORS]} sitemaps or feeds could not be read")
        if stats.get(meta.DISCOVERY_LIMITS):
            warnings.append(f"discovery stopped at {', '.join(stats[meta.DISCOVERY_LIMITS])}: "
                            "some sitemaps or feeds were not read")
        return Verdict(True, "", warnings)

    if stats.get(meta.INTERRUPTED):
        reason = f"the crawl was interrupted ({stats[meta.INTERRUPTED]}) before any article was archived"
    elif stats.get(meta.HOME_FORBIDDEN_BY_ROBOTS):
        reason = f"robots.txt of {site} disallows morgue's user agent ({user_agent}): nothing was crawled"
    elif stats.get(meta.HOME_REDIRECTED_OFFSITE):
        reason = (f"the home page of {site} redirected off the site to "
                  f"{stats[meta.HOME_REDIRECTED_OFFSITE]}: crawl that address instead")
    elif responses and blocked >= 0.5 * responses:
        reason = block_line
    elif stats.get(meta.HOME_ERROR):
        reason = f"cannot fetch {site}: {stats[meta.HOME_ERROR]}"
    elif not responses:
        reason = f"no page of {site} could be fetched"
    elif stats.get(meta.EXTRACT_EMPTY):
        reason = (f"{stats[meta.EXTRACT_EMPTY]} article pages were fetched from {site} "
                  "but none gave any article text")
    elif robots_forbidden and not stats.get(meta.ARTICLE_RESPONSES):
        reason = f"robots.txt of {site} forbade every article URL found ({robots_forbidden} requests)"
    elif stats.get(meta.ARTICLE_HTTP_ERRORS) and not stats.get(meta.ARTICLE_RESPONSES):
        reason = (f"all {stats[meta.ARTICLE_HTTP_ERRORS]} article pages found on {site} "
                  "answered HTTP errors (4xx/5xx)")
    else:
        reason = (f"no sitemap, feed or article-like link was found on {site}: "
                  "give a feed or sitemap URL instead, e.g. morgue crawl https://site/feed.xml")
    return Verdict(False, reason, warnings)
