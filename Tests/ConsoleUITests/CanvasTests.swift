@testable import TerminalCanvas
import Testing

@Suite struct CanvasTests {
    @Test func noControlOrFormatCharacterReachesACell() {
        var canvas = Canvas(size: Size(width: 60, height: 1))
        canvas.write("a\u{1B}]0;title\u{07}b\u{9B}31m\u{202E}c\u{200B}d\u{7F}\u{2028}", x: 0, y: 0)
        let text = canvas.rows[0]
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.properties.generalCategory == .format })
        #expect(text.hasPrefix("a␛]0;title␇b⟨U+009B⟩31m⟨U+202E⟩c⟨U+200B⟩d␡⟨U+2028⟩"))
    }

    @Test func wideCharactersTakeTwoColumnsAndAreNeverSplit() {
        var canvas = Canvas(size: Size(width: 10, height: 1))
        #expect(canvas.write("日本語", x: 0, y: 0) == 6)
        #expect(canvas[1, 0].width == 0)
        #expect(TerminalText.width("Perú Ñandú") == 10)
        #expect(TerminalText.width("🦤") == 2)
        #expect(TerminalText.width("e\u{301}") == 1)
        // a wide character that does not fit is left out, not cut in half
        var narrow = Canvas(size: Size(width: 5, height: 1))
        #expect(narrow.write("ab日本", x: 0, y: 0) == 4)
        // overwriting half of a wide character clears the other half
        canvas.write("x", x: 1, y: 0)
        #expect(canvas.rows[0].hasPrefix(" x本語"))
    }

    @Test func changesAreOnlyTheRunsThatDiffer() {
        var a = Canvas(size: Size(width: 20, height: 2))
        a.write("hello world", x: 0, y: 0)
        var b = a
        b.write("W", x: 6, y: 0, role: .accent)
        b.write("x", x: 19, y: 1)
        let runs = b.changes(since: a)
        #expect(runs == [Canvas.Run(x: 6, y: 0, role: .accent, text: "W", columns: 1), Canvas.Run(x: 19, y: 1, role: .normal, text: "x", columns: 1)])
        #expect(b.changes(since: b).isEmpty)
        #expect(b.changes(since: nil).count >= 2)
    }

    @Test func aNonUTF8LocaleGetsASCIIStandIns() {
        var canvas = Canvas(size: Size(width: 20, height: 1))
        canvas.write("✓ Perú 日", x: 0, y: 0)
        let ascii = canvas.asciiFallback()
        #expect(ascii.rows[0].hasPrefix("+ Peru ##"))
        #expect(ascii.rows[0].unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func theRawViewMakesEveryControlVisible() {
        let raw: [UInt8] = Array("{\"m\":\"a".utf8) + [0x1B, 0x5B, 0x32, 0x4A, 0x0A, 0xFF, 0xC3] + Array("é\u{202E}\"}".utf8)
        let shown = TerminalText.escaped(raw)
        #expect(shown == "{\"m\":\"a\\x1B[2J\\n\\xFF\\xC3é\\u{202E}\"}")
    }

    @Test func truncationAndPaddingMeasureColumns() {
        #expect(TerminalText.truncated("abcdef", to: 4) == "abc…")
        #expect(TerminalText.padded("日本", to: 5) == "日本 ")
        #expect(TerminalText.padded("12", to: 4, alignRight: true) == "  12")
    }
}
