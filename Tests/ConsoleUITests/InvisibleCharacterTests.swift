import CleoDomain
@testable import ConsoleUI
@testable import TerminalCanvas
import Testing

/// issue 10, "Smaller": default-ignorable code points draw nothing, so "abc" and "abc" + one of
/// them looked the same; each is a placeholder now, so two ids never look alike.
@Suite struct InvisibleCharacterTests {
    static let ranges: [(name: String, values: ClosedRange<UInt32>)] = [
        ("combining grapheme joiner", 0x034F...0x034F),
        ("variation selectors", 0xFE00...0xFE0F),
        ("variation selectors supplement", 0xE0100...0xE01EF),
        ("Khmer inherent vowels", 0x17B4...0x17B5),
        ("Mongolian free variation selectors and vowel separator", 0x180B...0x180F),
        ("Hangul choseong and jungseong fillers", 0x115F...0x1160),
        ("Hangul filler", 0x3164...0x3164),
        ("halfwidth Hangul filler", 0xFFA0...0xFFA0),
        ("word joiner, invisible operators, bidi isolates, deprecated format characters", 0x2060...0x206F),
    ]

    @Test func everyDefaultIgnorableCodePointIsAPlaceholder() {
        for (name, values) in Self.ranges {
            for value in values {
                let scalar = Unicode.Scalar(value)!
                let shown = TerminalText.sanitized("abc" + String(scalar))
                #expect(shown == "abc⟨U+\(TerminalText.hex(value, width: 4))⟩", "\(name): U+\(String(value, radix: 16))")
                #expect(TerminalText.clipboardSafe("abc" + String(scalar)) == "abc", "\(name): copied")
            }
        }
    }

    /// U+FE0F after an emoji drawn as text by default (`❤`) turns it into the emoji, two
    /// columns wide: visible, kept. After anything else a variation selector changes nothing
    /// a terminal draws.
    @Test func anEmojiVariationSelectorIsKeptOnlyWhereItIsDrawn() {
        #expect(TerminalText.sanitized("❤\u{FE0F}") == "❤\u{FE0F}")
        #expect(TerminalText.width("❤\u{FE0F}") == 2 && TerminalText.width("❤") == 1)
        #expect(TerminalText.sanitized("🦤\u{FE0F}") == "🦤⟨U+FE0F⟩", "already an emoji: nothing changes")
        #expect(TerminalText.sanitized("1\u{FE0F}") == "1⟨U+FE0F⟩", "an ASCII digit is drawn the same")
        #expect(TerminalText.sanitized("❤\u{FE0E}") == "❤⟨U+FE0E⟩")
        #expect(TerminalText.sanitized("❤\u{FE0F}\u{FE0F}") == "❤\u{FE0F}⟨U+FE0F⟩")
        #expect(TerminalText.sanitized("葛\u{E0100}") == "葛⟨U+E0100⟩", "an ideographic variant a terminal does not draw")
        #expect(TerminalText.clipboardSafe("❤\u{FE0F}x\u{FE0F}") == "❤\u{FE0F}x")
        #expect(TerminalText.rawPieces(Array("❤\u{FE0F}x\u{FE0F}".utf8)).map(\.text) == ["❤\u{FE0F}x", "\\u{FE0F}"])
    }

    /// Ids that differ only by an invisible character are listed differently.
    @Test func idsThatDifferByAnInvisibleCharacterLookDifferent() {
        var state = Fixture.state()
        let invisible: [UInt32] = [0x034F, 0xFE0F, 0xE0100, 0x17B4, 0x180B, 0x3164, 0x2060, 0x206F]
        let rows = [Fixture.record(20, "abc", .approved)] + invisible.enumerated().map { index, value in
            Fixture.record(Int64(19 - index), "abc" + String(Unicode.Scalar(value)!), .approved)
        }
        _ = state.reduce(.pageLoaded(TransactionPage(query: state.transactions.pageQuery(now: Fixture.now), rows: rows, total: rows.count, overdue: 0, newestSeq: 20)))
        let shown = state.render().rows[4..<(4 + rows.count)].map { $0.dropFirst(17).prefix(18) }
        #expect(Set(shown).count == rows.count, "\(shown)")
        for (line, value) in zip(shown.dropFirst(), invisible) {
            #expect(line.contains("⟨U+\(TerminalText.hex(value, width: 4))⟩"), "\(line)")
        }
    }
}
