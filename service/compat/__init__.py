"""Adapters that speak other services' APIs over the `Gazette` engine: `libretranslate` and `deepl`."""
