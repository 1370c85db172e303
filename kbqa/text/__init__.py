"""Text stage: normalisation (width, script, junk), script detection, segmentation."""
