"""morgue's Scrapy commands (``COMMANDS_MODULE``): ``scrapy crawl`` behaves as ``morgue crawl``."""
