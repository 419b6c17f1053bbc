"""Components of the media library's storage."""
