extension LayerLab {
  /// The release, as `layerlab --version` prints it.
  static let version = "0.1.0"
}
