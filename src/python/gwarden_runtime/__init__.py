"""gwarden's runtime inside gunicorn: the Python half of the gunicorn.conf.py that gwarden renders.

gwarden embeds these modules in every rendered config (a saved `gwarden plan --format conf` runs
without gwarden installed) and loads them under the names `gwarden_runtime.*`. Each module imports
its siblings by absolute name, so the same files run here, under pyflakes and under unittest.

    channel         the hook channel: one JSON line per lifecycle record on $GWARDEN_EVENT_FD
    stats           per-worker request counters in a shared-memory file ($GWARDEN_STATS_DIR)
    guard           the in-worker memory guard (uWSGI's reload-on-rss, on private memory)
    retire          retiring a worker after its requests, as max_requests does (without drops)
    cgroup_dir      the master's own memory cgroup, from /proc/self/cgroup and mountinfo
    kernel_events   the master's watcher of kernel memory events (v1 thresholds, v2 PSI triggers)
    user_config     the user's own gunicorn config, executed as gunicorn's -c would
    hooks           gunicorn's server hooks, chaining the user's with all of the above
"""
