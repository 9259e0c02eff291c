"""The user's own gunicorn config, executed as gunicorn's -c would, and the hooks gwarden chains to.

The rendered config loads it first: every name gunicorn knows as a setting is kept unless gwarden
sets the same one, and each hook gwarden wraps calls the user's (validated as gunicorn would) or,
when the user has none, gunicorn's default (pre_request's debug line).
"""
import importlib
import importlib.machinery
import importlib.util
import os
import sys

MODULE_NAME = "__gwarden_user_config__"


def known_settings():
    """gunicorn's settings by name, or None when gunicorn cannot be imported."""
    try:
        from gunicorn.config import KNOWN_SETTINGS
        return {s.name: s for s in KNOWN_SETTINGS}
    except Exception:
        return None


def load(location, own_file=None):
    """Execute the user's config (a path, `file:path` or `python:module`) and return its names."""
    if location is None:
        return {}
    if location.startswith("python:"):
        return dict(vars(importlib.import_module(location[len("python:"):])))
    if location.startswith("file:"):
        location = location[len("file:"):]
    if not os.path.exists(location):
        raise RuntimeError("gwarden: the user config %r does not exist" % location)
    if own_file and os.path.realpath(own_file) == os.path.realpath(location):
        raise RuntimeError("gwarden: the user config %r is this generated file itself" % location)
    if os.path.splitext(location)[1] in (".py", ".pyc"):
        spec = importlib.util.spec_from_file_location(MODULE_NAME, location)
    else:
        loader = importlib.machinery.SourceFileLoader(MODULE_NAME, location)
        spec = importlib.util.spec_from_file_location(MODULE_NAME, location, loader=loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    return dict(vars(module))


def settings(names):
    """The user's names gunicorn would read as settings (all public names if gunicorn is unknown)."""
    known = known_settings()
    if known is None:
        return {k: v for k, v in names.items() if not k.startswith("_")}
    return {k: v for k, v in names.items() if k in known}


def previous_hook(names, hook):
    """The callable to chain to: the user's hook (validated as gunicorn would), else the default."""
    setting = (known_settings() or {}).get(hook)
    value = names.get(hook)
    if value is None:
        return None if setting is None else setting.default
    if setting is None:
        return value
    try:
        return setting.validator(value)
    except Exception as e:
        raise TypeError("gwarden: invalid %s hook in the user config: %s" % (hook, e))
