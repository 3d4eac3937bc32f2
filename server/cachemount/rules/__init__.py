"""The rule registry: one module per rule, listed explicitly (order = report order for ties).
A rule's documentation lives in its module (docstring, FIRES_WHEN, FIX_SUMMARY), parsed in base.py;
CONTRIBUTING.md says how to add one."""
from __future__ import annotations

from . import (apt_update_alone, cache_defeated, cache_mount_mismatch, copy_before_install, invalid_mount,
               uncached_install, unpinned_remote)
from .base import Rule, rule_from_module

RULES: tuple[Rule, ...] = tuple(rule_from_module(m) for m in (
    uncached_install,
    cache_mount_mismatch,
    cache_defeated,
    copy_before_install,
    invalid_mount,
    apt_update_alone,
    unpinned_remote,
))

BY_CODE = {r.code: r for r in RULES}
BY_NAME = {r.name: r for r in RULES}
