/// IDs that Docker draws at random, derived here from what they name so they are
/// the same on every run.
enum SeededID {
  /// A 64-hex cache ID for a layer (`stringid.GenerateRandomID`): never 12 leading digits.
  static func cacheID(for chainID: Digest) -> String {
    var attempt = 0
    while true {
      let hex = Digest.of("layerlab cache-id \(chainID) \(attempt)").hex
      if !hex.prefix(12).allSatisfy(\.isNumber) { return hex }
      attempt += 1
    }
  }

  /// A 26-character overlay link ID (`overlayutils.GenerateID(26)`): base32 of 17 bytes.
  static func linkID(for cacheID: String) -> String {
    let bytes = Array(Digest.of("layerlab link \(cacheID)").hex.utf8)
    // Re-read the hex as raw bytes, then base32-encode as Go's StdEncoding does.
    var raw: [UInt8] = []
    var index = 0
    while raw.count < 17 {
      let high = hexValue(bytes[index])
      let low = hexValue(bytes[index + 1])
      raw.append(high << 4 | low)
      index += 2
    }
    return String(base32(raw).prefix(26))
  }

  /// A 64-hex ID for a build container or similar, from a label and a counter.
  static func randomID(_ label: String) -> String {
    var attempt = 0
    while true {
      let hex = Digest.of("layerlab id \(label) \(attempt)").hex
      if !hex.prefix(12).allSatisfy(\.isNumber) { return hex }
      attempt += 1
    }
  }

  private static func hexValue(_ byte: UInt8) -> UInt8 {
    byte >= 97 ? byte - 87 : byte - 48
  }

  private static func base32(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    var output = ""
    var buffer = 0
    var bits = 0
    for byte in bytes {
      buffer = buffer << 8 | Int(byte)
      bits += 8
      while bits >= 5 {
        output.append(alphabet[(buffer >> (bits - 5)) & 31])
        bits -= 5
      }
    }
    if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
    return output
  }
}
