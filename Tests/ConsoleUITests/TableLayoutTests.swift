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

/// After a droppable column is dropped, the ones still shown get back the room it freed.
@Suite struct TableLayoutRegrowthTests {
    @Test func aDropGivesItsRoomBackToTheColumnsStillShown() {
        let columns = [TableColumn("ID"), TableColumn("ERROR", minimum: 6, droppable: true, rank: 1), TableColumn("FLAGS", droppable: true, rank: 0)]
        let rows = [["665f1c2e9b1d4a0012ab34cd", "INVALID_PSP_CREDENTIALS", "CONFLICT,MISMATCH"]]
        // 24 + 1 + 23 = 48: the flags dropped, the error whole again (not left at its minimum).
        let layout = TableLayout(columns, rows: rows, available: 48)
        #expect(layout.widths.map { $0 ?? -1 } == [24, 23, -1])
        #expect(layout.line(rows[0]) == "665f1c2e9b1d4a0012ab34cd INVALID_PSP_CREDENTIALS")
        #expect(!layout.isWhole && layout.offsets.map { $0 ?? -1 } == [0, 25, -1])
        // A reserve holds a column's width when the values are narrower.
        let reserved = TableLayout([TableColumn("A", reserve: 5), TableColumn("B")], rows: [["x", "y"]], available: nil)
        #expect(reserved.header == "A     B" && reserved.isWhole)
    }

    @Test func theFirstVariantThatFitsWholeIsTakenElseTheLast() {
        let columns = [TableColumn("ID", minimum: 4), TableColumn("WHEN")]
        func table(_ long: Bool) -> (layout: TableLayout, rows: [[String]]) {
            let rows = [["abcdefghij", long ? "2026-12-03 13:00:00" : "13:00"]]
            return (TableLayout(columns, rows: rows, available: 20), rows)
        }
        #expect(TableLayout.firstWhole([true, false], table).rows[0][1] == "13:00")
        #expect(TableLayout.firstWhole([false, true], table).rows[0][1] == "13:00")
        // None whole: the last, cut.
        let none = TableLayout.firstWhole([10, 12]) { n in
            (TableLayout(columns, rows: [[String(repeating: "x", count: 30), "when"]], available: n), [n])
        }
        #expect(none.rows == [12] && !none.layout.isWhole)
    }

    @Test func aSpillingCellTakesTheRoomAShortValueLeftInItsRow() {
        let columns = [TableColumn(""), TableColumn("", minimum: 8, rank: 1), TableColumn("", minimum: 5, rank: 0, spillsLeft: true)]
        let rows = [["key", "••••9f3a", "untested (t)"], ["url", "https://merchant.example/hooks", "(unsaved)"]]
        let layout = TableLayout(columns, rows: rows, available: 46)
        #expect(layout.widths.map { $0 ?? -1 } == [3, 30, 11])
        var canvas = Canvas(size: Size(width: 46, height: 2))
        for (y, row) in rows.enumerated() { canvas.tableRow(layout, row.map { ($0, Role.normal) }, x: 0, y: y) }
        // Whole, two spaces after the short value; the long value's row keeps its column.
        #expect(canvas.rows[0] == "key ••••9f3a  untested (t)" + String(repeating: " ", count: 20))
        #expect(canvas.rows[1] == "url https://merchant.example/hooks (unsaved)  ")
        // Without the spill the note is cut with room to spare beside it.
        let plain = TableLayout([columns[0], columns[1], TableColumn("", minimum: 5, rank: 0)], rows: rows, available: 46)
        canvas = Canvas(size: Size(width: 46, height: 1))
        canvas.tableRow(plain, rows[0].map { ($0, Role.normal) }, x: 0, y: 0)
        #expect(canvas.rows[0].contains("untested (…"))
    }

    /// A droppable column that cannot be cut (no minimum) gives way before one after it in the
    /// order is cut: an empty FLAGS column went on taking room while the error code was cut.
    @Test func anUncuttableDroppableColumnGoesBeforeALaterOneIsCut() {
        let columns = [TableColumn("ID"), TableColumn("ERROR", minimum: 5, droppable: true, rank: 1), TableColumn("FLAGS", droppable: true, rank: 0)]
        let rows = [["665f1c2e9b1d4a0012ab34cb", "INVALID_PSP_CREDENTIALS", ""]]
        // 24 + 1 + 23 + 1 + 5 = 54; at 48 dropping FLAGS is enough.
        let layout = TableLayout(columns, rows: rows, available: 48)
        #expect(layout.widths.map { $0 ?? -1 } == [24, 23, -1])
        #expect(layout.line(rows[0]) == "665f1c2e9b1d4a0012ab34cb INVALID_PSP_CREDENTIALS")
    }
}
