"""HTTP adapters: the JSON API, the pages, sign-in and error translation."""
