"""The weekly digest in the app: gather its data, hand it to `coparent.notify`, record sends."""
