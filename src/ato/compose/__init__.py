"""Composition: Hydra-style config trees and OpenMMLab configs, both schema-checkable."""

from ato.compose._api import compose_hierarchy, load_mm_config, resolve, sources_of

__all__ = ["compose_hierarchy", "load_mm_config", "resolve", "sources_of"]
