"""Chinese survey platforms as sources: 腾讯问卷 live through its OpenAPI (`tencent`), and the exports of
腾讯问卷, 问卷星 and 金数据 read as files (`exports`).

Each turns what the platform gives into the one `Table` (header, numbered rows, time zone, identity) that
`ingest.run` maps, checks, scores and stores for every source, so the scoring path is shared with Google's.
"""
