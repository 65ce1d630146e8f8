"""Every request-meta key and stats key morgue uses, in one place.

Spiders, middlewares, pipelines and extensions pass data along requests
(``request.meta``) and report through Scrapy's stats; naming the keys here
keeps each component from importing another only for a string, and gives a
reader one list of what a crawl records.
"""

# --- request.meta ----------------------------------------------------------------
#: how the URL was found: {"via", "from", "entry"} (written as a WARC metadata record)
DISCOVERY = "morgue_discovery"
#: where the response record landed: filename, record id, offset, length, digest, fetched_at
WARC_LOCATION = "morgue_warc"
#: what the request is for: robots, home, sitemap, feed, section, or how an article was found
ROLE = "morgue_role"
#: link hops from the seed
DEPTH = "morgue_depth"
#: a usual path tried without being announced (/feed/, /sitemap.xml): a miss is no error
GUESS = "morgue_guess"
#: the canonical URL of a queued article, to find its latest discovery
KEY = "morgue_key"
#: redirect hops of the home page followed so far
HOPS = "morgue_hops"
#: sitemap-index nesting of a sitemap request (0: named by robots.txt or the user)
SITEMAP_DEPTH = "morgue_sitemap_depth"

# --- stats: capture ---------------------------------------------------------------
WARC_RESPONSES = "warc/responses"
WARC_RECORDS = "warc/records_written"
WARC_BYTES = "warc/bytes_written"
WARC_FILES = "warc/files_written"

# --- stats: extraction and text -----------------------------------------------------
EXTRACT_OK = "extract/ok"
EXTRACT_EMPTY = "extract/empty"
EXTRACT_WORKER_RESTARTS = "extract/worker_restarts"
EXTRACT_WORKER_RECYCLES = "extract/worker_recycles"
TEXT_RECORDS = "text/records_written"
TEXT_FILES = "text/files_written"

# --- stats: store -------------------------------------------------------------------
FILES_UPLOADED = "store/files_uploaded"
BYTES_UPLOADED = "store/bytes_uploaded"
UPLOAD_FAILED = "store/upload_failed"
FILES_PENDING = "store/files_pending"
FILES_RECOVERED = "store/files_recovered"

# --- stats: discovery -----------------------------------------------------------------
SITEMAPS = "morgue/sitemaps"
FEEDS = "morgue/feeds"
DOCUMENTS = "morgue/documents"
DISCOVERY_ERRORS = "morgue/discovery_errors"
SKIPPED_BEFORE_SINCE = "morgue/skipped_before_since"
ARTICLE_RESPONSES = "morgue/article_responses"
NOT_HTML = "morgue/not_html"
NOT_ARTICLE = "morgue/not_article"
HOME_FAILED = "morgue/home_failed"
HOME_ERROR = "morgue/home_error"
HOME_FORBIDDEN_BY_ROBOTS = "morgue/home_forbidden_by_robots"
HOME_REDIRECTED_OFFSITE = "morgue/home_redirected_offsite"
RETRY_AFTER = "morgue/retry_after"
#: article requests answered with an HTTP error (after redirects and retries): no text record
ARTICLE_HTTP_ERRORS = "morgue/article_http_errors"
#: the discovery bounds a crawl reached, e.g. ["MORGUE_MAX_SITEMAPS=1000"]: some sitemaps or feeds were not read
DISCOVERY_LIMITS = "morgue/discovery_limits"

# --- stats: the verdict ------------------------------------------------------------------
OK = "morgue/ok"
REASON = "morgue/reason"
WARNINGS = "morgue/warnings"
#: the signal that interrupted the crawl (SIGINT or SIGTERM); set by the command line
INTERRUPTED = "morgue/interrupted"

# --- stats: added for the extraction pool ---------------------------------------------------
#: the extraction workers could not start: pages were extracted in the crawler process
EXTRACT_IN_PROCESS = "extract/in_process"

# --- request.meta and stats: incremental crawls (morgue.downloadermiddlewares.incremental) -------
#: the state entry of an article already archived, put on its request by the incremental middleware
PREVIOUS = "morgue_previous"
#: set by the capture when it wrote a revisit record: the profile's short name ("not-modified", "identical")
REVISIT = "morgue_revisit"
#: articles not fetched: archived, not recent, and their discovery date did not move
INCREMENTAL_SKIPPED = "incremental/skipped"
#: articles fetched again with If-None-Match / If-Modified-Since
INCREMENTAL_CONDITIONAL = "incremental/conditional"
#: revisit records written: the server said 304, or the payload was the last capture's
REVISITS_NOT_MODIFIED = "warc/revisits_not_modified"
REVISITS_IDENTICAL = "warc/revisits_identical"
#: articles whose text is new (first version), revised (version 2, 3, ...) or the same as the last text record
ARTICLES_NEW = "text/articles_new"
ARTICLES_REVISED = "text/articles_revised"
ARTICLES_UNCHANGED = "text/articles_unchanged"
#: articles in the state loaded at the start, and written at the end
STATE_LOADED = "state/articles_loaded"
STATE_SAVED = "state/articles_saved"
#: fetching stopped because the spool's disk ran low (MORGUE_MIN_FREE_SPACE)
OUT_OF_DISK = "morgue/out_of_disk"

# --- request.meta: added for on-demand saves (morgue save, morgue serve) ----------------------
#: the index of a save request's result in ``SaveSpider.results``
SAVE_INDEX = "morgue_save_index"

# --- stats: added for on-demand saves ---------------------------------------------------------
#: requests refused by the service's address rules (private, loopback, metadata, ... addresses)
SSRF_REFUSED = "morgue/ssrf_refused"
#: requests dropped because their URL matched MORGUE_SKIP_URLS (sites.toml's ``skip``)
SKIPPED_BY_PATTERN = "morgue/skipped_by_pattern"

# --- request.meta and stats: added for listing pages, page kinds and URL hygiene (issue 18) ----------
#: what the page is: article, listing or other (set by the spider on the response's meta once parsed;
#: on listing requests, "listing" from the start)
PAGE_KIND = "morgue_page_kind"
#: a listing page's number in its section's pagination (1: the section's first page)
LISTING_PAGE = "morgue_listing_page"
#: listing hops from the home page (a section: 1, a tag page linked from it: 2)
LISTING_HOPS = "morgue_listing_hops"
#: listing pages (sections, tags, pagination, archives) read for article links
LISTING_PAGES = "morgue/listing_pages"
#: links not followed: cart, login, share, print, comment-reply and calendar links
JUNK_LINKS = "morgue/junk_links"
#: pages fetched under another URL of a story already given a text record (same canonical URL)
DUPLICATES = "morgue/duplicate_pages"
#: the listing bounds a crawl reached, e.g. ["MORGUE_LISTING_PAGES=10"] (no warning: a normal end)
LISTING_LIMITS = "morgue/listing_limits"
#: a distributed crawl lost its Redis server mid-crawl: the error (the crawler closed; what it fetched is archived)
FRONTIER_LOST = "morgue/frontier_lost"
