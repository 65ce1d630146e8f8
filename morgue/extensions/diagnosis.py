"""Why a crawl found nothing, told from its stats: pure functions, one line each.

The same reasons that make an empty crawl fail are warnings when they hit
only part of a crawl, so a user learns of a half-blocked site too.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Verdict:
    ok: bool
    reason: str = ""  # one line; empty when ok
    warnings: list[str] = field(default_factory=list)


def _status_counts(stats: dict) -> dict[int, int]:
    prefix = "downloader/response_status_count/"
    return {int(k[len(prefix):]): v for k, v in stats.items() if k.startswith(prefix)}


def diagnose(stats: dict, site: str, user_agent: str = "morgue") -> Verdict:
    articles = stats.get("text/records_written", 0)
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
        if stats.get("morgue/home_redirected_offsite"):
            warnings.append(f"the home page of {site} redirected off the site to "
                            f"{stats['morgue/home_redirected_offsite']}: only its sitemaps and feeds were used")
        if stats.get("extract/empty"):
            warnings.append(f"{stats['extract/empty']} article pages gave no article text")
        if stats.get("morgue/discovery_errors"):
            warnings.append(f"{stats['morgue/discovery_errors']} sitemaps or feeds could not be read")
        return Verdict(True, "", warnings)

    if stats.get("morgue/home_forbidden_by_robots"):
        reason = f"robots.txt of {site} disallows morgue's user agent ({user_agent}): nothing was crawled"
    elif stats.get("morgue/home_redirected_offsite"):
        reason = (f"the home page of {site} redirected off the site to "
                  f"{stats['morgue/home_redirected_offsite']}: crawl that address instead")
    elif responses and blocked >= 0.5 * responses:
        reason = block_line
    elif stats.get("morgue/home_error"):
        reason = f"cannot fetch {site}: {stats['morgue/home_error']}"
    elif not responses:
        reason = f"no page of {site} could be fetched"
    elif stats.get("extract/empty"):
        reason = (f"{stats['extract/empty']} article pages were fetched from {site} "
                  "but none gave any article text")
    elif robots_forbidden and not stats.get("morgue/article_responses"):
        reason = f"robots.txt of {site} forbade every article URL found ({robots_forbidden} requests)"
    else:
        reason = (f"no sitemap, feed or article-like link was found on {site}: "
                  "give a feed or sitemap URL instead, e.g. morgue crawl https://site/feed.xml")
    return Verdict(False, reason, warnings)
