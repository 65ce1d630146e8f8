"""morgue's crawl policy: polite by default, everything archived.

Every MORGUE_* setting can also be given as ``-s NAME=VALUE``; the few that
a cron job or container usually sets come from the environment too
(MORGUE_STORE, MORGUE_SPOOL, MORGUE_CONTACT, MORGUE_OPERATOR).
The README has the full table.
"""

import os

from morgue.addon import user_agent

BOT_NAME = "morgue"
SPIDER_MODULES = ["morgue.spiders"]
NEWSPIDER_MODULE = "morgue.spiders"
ADDONS = {"morgue.addon.MorgueAddon": 0}
# `scrapy crawl` is morgue's: the same checks, summary, exit codes and Ctrl-C as `morgue crawl`
COMMANDS_MODULE = "morgue.commands"

# --- where the archive goes -------------------------------------------------
MORGUE_STORE = os.environ.get("MORGUE_STORE", "./archive")  # a folder, file://PATH or s3://BUCKET/PREFIX
MORGUE_SPOOL = os.environ.get("MORGUE_SPOOL", "")  # default: the store's own (see README)
MORGUE_UPLOAD_TIMEOUT = 300.0  # seconds to keep trying uploads at the end of a crawl
MORGUE_STORES = {}  # URI scheme -> store class path, merged over the built-in ones; None refuses a scheme

# --- what the archive holds ---------------------------------------------------
MORGUE_WARC_PREFIX = "MORGUE"
MORGUE_WARC_MAX_SIZE = 1_000_000_000  # bytes: rotate WARC files at this size
MORGUE_TEXT_MAX_SIZE = 100_000_000  # bytes: rotate text-record files at this size
MORGUE_OPERATOR = os.environ.get("MORGUE_OPERATOR", "")  # written into each warcinfo record

# --- what is crawled ---------------------------------------------------------
MORGUE_MAX_PAGES = None  # at most this many article pages
MORGUE_SINCE = None  # skip sitemap and feed entries older than this date
MORGUE_FOLLOW_DEPTH = 2  # links followed from the home page: sections, then articles
MORGUE_FEED_PATHS = True  # try /feed/, /sitemap.xml, ... when a site announces none
MORGUE_FETCH_DOCUMENTS = True  # archive PDFs and office documents that articles link to
MORGUE_LINKS_FROM_LISTED = False  # look for article links in articles a sitemap listed (costly)
MORGUE_MAX_SITEMAPS = 1000  # sitemaps read per crawl, indexes included
MORGUE_SITEMAP_DEPTH = 3  # sitemap indexes followed below the one robots.txt (or the user) named
MORGUE_MAX_FEEDS = 50  # feeds read per crawl

# --- incremental crawls (a store that already holds the site) ----------------------
MORGUE_STATE_ENABLED = True  # keep the crawl state in the store (state/); off: every run is a full crawl
MORGUE_FULL = False  # --full: fetch every article again, unconditionally
MORGUE_LOCK_ENABLED = True  # one run at a time per store and site (locks/ in the store)
MORGUE_LOCK_STALE = 900.0  # seconds without a heartbeat after which another run takes the lock over
MORGUE_RECHECK_DAYS = 3.0  # articles published this recently are fetched again (conditionally) on every run
MORGUE_MIN_FREE_SPACE = 1_000_000_000  # bytes free on the spool's disk; below it fetching stops (exit 7)
MORGUE_QUIET = "auto"  # auto: without a terminal (cron), only the summary and warnings on standard error
MORGUE_REPORTS_ENABLED = True  # a JSON report of each run in the store (reports/)
MORGUE_SKIP_URLS = []  # regular expressions: URLs never requested (sites.toml's skip)
MORGUE_ARTICLE_URLS = []  # regular expressions: URLs that are articles (sites.toml's articles; read by the spider)

# --- distributed crawls (--distributed, morgue worker, enqueue, status; see the README's Scale-out section) ---
MORGUE_REDIS_URL = os.environ.get("MORGUE_REDIS_URL", "")  # redis://HOST:6379/0: the shared frontier
MORGUE_IDLE_EXIT = os.environ.get("MORGUE_IDLE_EXIT", "30")  # seconds of empty frontier before a crawler ends
MORGUE_WORKER_TIMEOUT = 60.0  # seconds without a heartbeat after which a worker's requests are queued again
MORGUE_SITE_DELAY = None  # seconds between two requests to a site across all workers (default: DOWNLOAD_DELAY)

# --- extraction ----------------------------------------------------------------
MORGUE_EXTRACT_WORKERS = None  # processes; None: one per core; 0: in the crawler process
MORGUE_EXTRACT_TIMEOUT = 60.0
MORGUE_EXTRACT_RECYCLE = 10000  # pages after which the extraction workers are replaced (memory)

# --- politeness ------------------------------------------------------------------
MORGUE_CONTACT = os.environ.get("MORGUE_CONTACT", "https://github.com/morgue-archive/morgue")
USER_AGENT = user_agent(MORGUE_CONTACT)
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = 60
# A page yields one item: Scrapy's default of 100 starts 100 asyncio tasks for every response.
CONCURRENT_ITEMS = 8
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # an oversized page is logged and skipped
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# Response headers up to 256 kB, as browsers take them; no FTP or S3 handler (Scrapy's FTP one has no timeout,
# and a crawl only ever asks for http and https URLs).
DOWNLOAD_HANDLERS = {
    "http": "morgue.utils.twisted_limits.LargeHeadersDownloadHandler",
    "https": "morgue.utils.twisted_limits.LargeHeadersDownloadHandler",
    "ftp": None,
    "s3": None,
}
MORGUE_RETRY_AFTER_MAX = 120.0  # longest Retry-After honoured (seconds)
MORGUE_RETRY_AFTER_TIMES = 5

# --- output ------------------------------------------------------------------------
MORGUE_PROGRESS = "auto"  # a live line on a terminal, none under cron
MORGUE_PROGRESS_INTERVAL = 1.0  # seconds between updates of the progress line
FEED_EXPORT_ENCODING = "utf-8"
TELNETCONSOLE_ENABLED = False  # no open console on an archiving host
REMOTE_CONTROL_ENABLED = False  # nor Scrapy's remote-control HTTP server (on by default since 2.19)
LOG_LEVEL = "INFO"
LOG_FORMATTER = "morgue.utils.logs.LogFormatter"  # a network failure is one line, without its traceback
