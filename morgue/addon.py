"""Wires morgue's components into Scrapy at add-on priority.

A user's ``settings.py`` or ``-s`` still wins: everything here is set only
where nothing stronger already is.
"""

from __future__ import annotations

from scrapy.utils.misc import load_object

import morgue
from morgue.utils.jobdir import use_disk_queue

DOWNLOADER_MIDDLEWARES = {
    # Scrapy's, fixed so that requests waiting on one robots.txt are all checked
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "morgue.downloadermiddlewares.robots.RobotsTxtMiddleware": 100,
    # Scrapy's, reading only the head of a page instead of decoding it whole
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "morgue.downloadermiddlewares.metarefresh.MetaRefreshMiddleware": 580,
    # above every stock middleware: sees raw bodies and each redirect hop
    "morgue.downloadermiddlewares.capture.WarcCaptureMiddleware": 950,
    # below the capture: skips unchanged articles, adds conditional headers, ends revisits
    "morgue.downloadermiddlewares.incremental.IncrementalMiddleware": 940,
    # before robots.txt is asked: a URL the user excluded costs nothing
    "morgue.downloadermiddlewares.incremental.SkipURLsMiddleware": 90,
    # before RetryMiddleware (550): a Retry-After pause instead of an immediate retry
    "morgue.downloadermiddlewares.retryafter.RetryAfterMiddleware": 560,
}
ITEM_PIPELINES = {
    "morgue.pipelines.extract.ExtractPipeline": 300,
    "morgue.pipelines.text.TextPipeline": 800,
}
EXTENSIONS = {
    # first: a second run over the same store and site stops here, before touching anything
    "morgue.extensions.lock.LockExtension": 80,
    # before the upload extension: reads the spool before its uploads start
    "morgue.extensions.state.StateExtension": 90,
    "morgue.extensions.upload.UploadExtension": 100,
    "morgue.extensions.report.ReportExtension": 500,
    "morgue.extensions.progress.ProgressExtension": 510,
    "morgue.extensions.runreport.FreeSpaceExtension": 520,
}


def user_agent(contact: str) -> str:
    return f"morgue/{morgue.__version__} (news archiver; +{contact})"


class MorgueAddon:
    def update_settings(self, settings) -> None:
        for name, components in (
            ("DOWNLOADER_MIDDLEWARES", DOWNLOADER_MIDDLEWARES),
            ("ITEM_PIPELINES", ITEM_PIPELINES),
            ("EXTENSIONS", EXTENSIONS),
        ):
            for path, order in components.items():
                # the class, not its path: Scrapy compares loaded classes, so that a user's entry
                # (None included, which disables it) keeps its place
                settings.setdefault_in_component_priority_dict(name, load_object(path), order)
        use_disk_queue(settings)
        contact = settings.get("MORGUE_CONTACT")
        if contact and settings.getpriority("USER_AGENT") <= settings.getpriority("MORGUE_CONTACT"):
            settings.set("USER_AGENT", user_agent(contact), priority="addon")
