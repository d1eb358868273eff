"""A small site for feed autodiscovery: a home page advertising two feeds (and a
comments feed, a javascript: link and a non-feed alternate, all to be skipped), a
page advertising none, and a feed at the common path /atom.xml."""

from __future__ import annotations

from tests.support.newsserver import RSS_TYPE, Site

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>{t}</title>
<link>https://x.example/</link><description>d</description>
<item><title>One</title><link>https://x.example/1</link></item></channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Atom news</title><id>urn:x</id><updated>2025-03-04T06:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><link href="https://x.example/1"/>
<updated>2025-03-04T06:00:00Z</updated></entry></feed>"""
HOME = """<!doctype html><html><head><title>Daily  Example</title>
<link rel="alternate" type="application/rss+xml" title="Top stories" href="/rss/top.xml">
<link rel="alternate" type="application/atom+xml" title="World" href="world.atom">
<link rel="alternate" type="application/rss+xml" title="Comments feed" href="/comments/feed">
<link rel="alternate" type="application/rss+xml" title="Script" href="javascript:alert(1)">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="stylesheet" href="/style.css">
</head><body><p>News.</p></body></html>"""


def news_site() -> Site:
    site = Site()
    site.add("/", HOME)
    site.add("/rss/top.xml", RSS.format(t="Top"), RSS_TYPE)
    site.add("/world.atom", ATOM, "application/atom+xml")
    site.add("/plain/", "<html><head><title>Plain</title></head><body>hi</body></html>")
    site.add("/atom.xml", ATOM, "application/atom+xml")
    return site
