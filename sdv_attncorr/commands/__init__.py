"""Sub-commands of the sdv-attncorr command line."""
