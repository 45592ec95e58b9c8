"""Loaders for hub planning: postcode coordinates, practice and candidate sites, demand, travel-time matrices."""
