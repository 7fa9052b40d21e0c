import LabJSON
import Testing

/// The JSON that inspect output, configs and archives are made of, printed as Go prints it.
@Suite("JSON as Docker reads and writes it")
struct JSONValueTests {
  @Test func keyOrderAndNumberTextSurviveARoundTrip() throws {
    let text = #"{"b":1,"a":[1.50,2e3,-0],"c":{"z":null,"y":true}}"#
    let value = try JSONValue(parsing: text)
    #expect(value.compact() == text)
    #expect(value["a"]?.arrayValue?.map { $0.compact() } == ["1.50", "2e3", "-0"])
    #expect(value.sortedKeys.compact() == #"{"a":[1.50,2e3,-0],"b":1,"c":{"y":true,"z":null}}"#)
  }

  @Test func indentationIsGosMarshalIndent() throws {
    let value = try JSONValue(parsing: #"{"Id":"x","Empty":[],"None":{},"List":[1,{"k":"v"}]}"#)
    #expect(
      value.indented()
        == """
        {
            "Id": "x",
            "Empty": [],
            "None": {},
            "List": [
                1,
                {
                    "k": "v"
                }
            ]
        }
        """)
  }

  @Test func stringsEscapeAsGoDoes() {
    #expect(JSONValue.quote("a<b>&c") == #""a\u003cb\u003e\u0026c""#)
    #expect(JSONValue.quote("a<b>&c", escapingHTML: false) == #""a<b>&c""#)
    #expect(JSONValue.quote("tab\tquote\"slash\\\n") == #""tab\tquote\"slash\\\n""#)
    #expect(JSONValue.quote("\u{1}") == #""\u0001""#)
  }

  @Test func unicodeEscapesIncludingSurrogatePairs() throws {
    #expect(try JSONValue(parsing: #""\u00e9\ud83d\ude00""#).stringValue == "é😀")
    // A lone or broken surrogate becomes the replacement character, never a crash.
    #expect(try JSONValue(parsing: #""\ud800x""#).stringValue == "\u{FFFD}x")
    #expect(try JSONValue(parsing: #""\uDaaa\udaaa""#).stringValue?.isEmpty == false)
  }

  @Test func stringsWithAndWithoutEscapesReadTheSame() throws {
    let value = try JSONValue(
      parsing: #"{"plain":"sha256:abc","empty":"","mixed":"a\"b\\c\nd","é":"ü😀"}"#)
    #expect(value["plain"]?.stringValue == "sha256:abc")
    #expect(value["empty"]?.stringValue == "")
    #expect(value["mixed"]?.stringValue == "a\"b\\c\nd")
    #expect(value["é"]?.stringValue == "ü😀")
    // A byte that is not UTF-8 is the replacement character, with or without an escape after it.
    #expect(try JSONValue(parsing: [0x22, 0x61, 0xFF, 0x62, 0x22]).stringValue == "a\u{FFFD}b")
    #expect(
      try JSONValue(parsing: [0x22, 0xFF, 0x5C, 0x6E, 0x22]).stringValue == "\u{FFFD}\n")
  }

  @Test(arguments: ["", "{", "[1,]", #"{"a" 1}"#, "tru", #""unterminated"#, "01", "[1] 2"])
  func malformedTextIsAnError(_ text: String) {
    #expect(throws: (any Error).self) { try JSONValue(parsing: text) }
  }

  @Test func accessorsReadWhatIsThere() throws {
    let value = try JSONValue(parsing: #"{"n":42,"s":"x","b":false,"a":[1],"o":{"k":1}}"#)
    #expect(value["n"]?.intValue == 42)
    #expect(value["s"]?.stringValue == "x")
    #expect(value["b"]?.boolValue == false)
    #expect(value["a"]?.arrayValue?.count == 1)
    #expect(value["o"]?.objectValue?.first?.0 == "k")
    #expect(value["missing"] == nil)
    #expect(value["s"]?.intValue == nil)
  }
}
