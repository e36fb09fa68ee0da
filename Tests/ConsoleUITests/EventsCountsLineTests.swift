@testable import ConsoleUI
import Testing

/// The Events screen's "applied" line breaks between its counts, never inside one: at 80 columns
/// it read "… · 3 late · 7" over "rejected".
@Suite struct EventsCountsLineTests {
    let counts = ["1,280 lines", "1,270 events", "41 duplicates", "3 late", "7 rejected"]

    @Test func aCountIsNeverSplitFromItsNoun() {
        #expect(EventsScreen.joined(counts, width: 61) == ["1,280 lines · 1,270 events · 41 duplicates · 3 late", "7 rejected"])
        #expect(EventsScreen.joined(counts, width: 64) == ["1,280 lines · 1,270 events · 41 duplicates · 3 late · 7 rejected"])
        #expect(EventsScreen.joined(counts, width: 20) == ["1,280 lines", "1,270 events", "41 duplicates", "3 late · 7 rejected"])
        // A part wider than the line stays one line (the canvas cuts it with …).
        #expect(EventsScreen.joined(["a very long count of things"], width: 5) == ["a very long count of things"])
    }
}
