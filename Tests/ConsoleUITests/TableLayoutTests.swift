import TerminalCanvas
import Testing

/// The table's column specs: widths from the contents, nothing cut without an imposed width,
/// and at a narrow one the columns cut, then dropped, in their stated order.
@Suite struct TableLayoutTests {
    let columns = [
        TableColumn("WHEN"), TableColumn("ID", minimum: 6, rank: 2), TableColumn("AMOUNT", alignRight: true),
        TableColumn("USER", minimum: 5, droppable: true, rank: 1), TableColumn("ERROR", minimum: 5, droppable: true, rank: 0),
    ]
    let rows = [["11-25 14:58", "665f1c2e9b1d4a0012ab34cd", "CLP 150,000", "cl-ana.rojas", "PSP_TIMEOUT"],
                ["11-25 14:51", "short", "PEN 1.00", "pe-lucía", ""]]

    @Test func withoutAWidthEveryValueIsWhole() {
        let layout = TableLayout(columns, rows: rows, available: nil)
        #expect(layout.header == "WHEN        ID                            AMOUNT USER         ERROR")
        #expect(layout.line(rows[0]) == "11-25 14:58 665f1c2e9b1d4a0012ab34cd CLP 150,000 cl-ana.rojas PSP_TIMEOUT")
        #expect(layout.line(rows[1]) == "11-25 14:51 short                       PEN 1.00 pe-lucía")
    }

    @Test func narrowColumnsCutThenDropInOrder() {
        // 73 whole; at 60 the error is cut first, then the user.
        var layout = TableLayout(columns, rows: rows, available: 60)
        #expect(layout.widths.map { $0 ?? -1 } == [11, 24, 11, 5, 5])
        #expect(layout.line(rows[0]) == "11-25 14:58 665f1c2e9b1d4a0012ab34cd CLP 150,000 cl-a… PSP_…")
        // At 40: the error and the user dropped before the id is cut.
        layout = TableLayout(columns, rows: rows, available: 40)
        #expect(layout.widths.map { $0 ?? -1 } == [11, 16, 11, -1, -1])
        #expect(layout.header == "WHEN        ID                    AMOUNT")
        #expect(TerminalText.width(layout.line(rows[0])) <= 40)
        // Narrower than the columns that never give way: the line is as short as it can be.
        layout = TableLayout(columns, rows: rows, available: 10)
        #expect(layout.widths.map { $0 ?? -1 } == [11, 6, 11, -1, -1])
    }
}
