"""Policy packs per jurisdiction and the pure functions that apply them."""
