import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The cashier form on the table primitive (issue 10): a value that is sent is never cut
/// silently — whole in its column, or cut with `…` and shown whole under the list when selected;
/// the problems beside give way first.
@Suite struct CashierFormLayoutTests {
    func form(size: Size) -> AppState {
        var state = Fixture.state(size: size)
        state.session.hasCompanyToken = true
        _ = state.reduce(.key(.character(":")))
        for c in "cashier" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        return state
    }

    func row(_ name: String, _ canvas: Canvas) -> String { canvas.rows.first { $0.contains(name + " *") }! }

    @Test func theTemplatesValuesAreWholeAt80And120() {
        for size in [Size(width: 80, height: 24), Size(width: 120, height: 40)] {
            let state = form(size: size)
            let canvas = state.render()
            #expect(row("email", canvas).contains("sandbox-test@example.com"), "\(size): \(row("email", canvas))")
            // The form's rows (the frame's origin is cut by design).
            #expect(!canvas.rows[3..<(size.height - 2)].contains { $0.contains("…") }, "\(size): nothing cut")
        }
    }

    @Test func aLongValueIsCutVisiblyAndShownWholeWhenSelectedAndTheProblemsGiveWayFirst() {
        var state = form(size: Size(width: 80, height: 24))
        let long = "a.very.long.address.for.a.sandbox.tester@merchant-example.com"
        state.cashier.values["email"] = long
        state.cashier.values["phone"] = "12"
        state.cashier.selected = CashierFormScreen.rows.firstIndex(of: "email")!
        let layout = CashierFormScreen.formTable(state, CashierFormScreen.validation(state), width: 80).layout
        // The problems at their minimum before the value is cut; the name whole.
        #expect(layout.widths[1] == 20 && layout.widths[3] == 12 && layout.widths[2]! < TerminalText.width(long))
        let canvas = state.render()
        #expect(row("email", canvas).contains("…"))
        #expect(canvas.rows.contains { $0.contains("email = " + long) }, "the selected value whole under the list")
    }
}

/// The Config screen's fields on the table primitive: the note (a key's last test) gives way
/// before the value; `(unsaved)` is never cut; a cut value is whole under the list when selected.
@Suite struct ConfigFieldLayoutTests {
    @Test func aLongUnsavedValueKeepsItsMarkAndIsWholeBelowWhenSelected() {
        let url = "https://hooks.merchant.example/cleo/webhooks/v2/receive?tenant=mozarto-merchant-42&region=latam"
        for size in [Size(width: 80, height: 24), Size(width: 120, height: 40)] {
            var state = Fixture.state(size: size)
            _ = state.reduce(.key(.character("2")))
            state.config.edits[.webhookUrl] = url
            state.config.selected = .webhookUrl
            let canvas = state.render()
            let row = canvas.rows.first { $0.contains("webhookUrl *") }!
            #expect(row.contains("(unsaved)") && row.contains("…"), "\(size): \(row)")
            let below = canvas.rows.joined()
            #expect(below.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "│", with: "").contains("webhookUrl=" + url), "\(size): whole below")
            // The note is cut before the value; the keys' masks and fingerprints stay whole.
            let layout = ConfigScreen.fieldTable(state, width: size.width).layout
            #expect(layout.widths[3] == 12 || layout.widths[3] == 9)
            #expect(canvas.rows.contains { $0.contains("cleoApiKey.chileApiKey *") && $0.contains("••••9f3a  sha256:1a2b3c4d") })
        }
    }

    @Test func aShortValueIsNotRepeatedBelow() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        state.config.selected = .customerExternalKeyForCleo
        #expect(!state.render().rows.contains { $0.contains("customerExternalKeyForCleo = ") })
    }
}

/// The filter panel on the table primitive: a status's count right-aligned in its column, the
/// choices' counts in one column, and a refusal read whole.
@Suite struct FilterPanelLayoutTests {
    @Test func theCountsLineUpAndARefusalWraps() {
        for size in [Size(width: 80, height: 24), Size(width: 120, height: 40)] {
            var state = Fixture.state(size: size)
            _ = state.reduce(.key(.character("f")))
            _ = state.reduce(.countsLoaded(state.transactions.countRequest(now: state.now), Counts(total: 1_234, overdue: 3, above: nil, facets: Fixture.facets)))
            state.transactions.filters.error = "since: 2026-13-45 is not a date: use RFC 3339 (2026-11-25 or 2026-11-25T14:00:00Z) or a duration like 6h, 2d or 90m"
            let canvas = state.render()
            let rows = canvas.rows
            func ends(_ needle: String) -> Int? {
                rows.first { $0.contains(needle) }.flatMap { row in row.range(of: needle).map { TerminalText.width(String(row[..<$0.upperBound])) } }
            }
            // Pending's 232, Approved's 98,335 and Declined's 1,221 end in the same column.
            let pending = rows.first { $0.contains("◌ Pending") }!
            let countEnd = ends("98,335")
            #expect(countEnd != nil)
            #expect(pending.range(of: "232").map { TerminalText.width(String(pending[..<$0.upperBound])) } == countEnd, "\(pending)")
            // The choices' counts start in one column.
            let starts = ["CL 2,246", "CLP 2,246", "Pay-In 98,581"].compactMap { needle in
                rows.first { $0.contains(needle) }.flatMap { row in row.range(of: needle).map { TerminalText.width(String(row[..<$0.lowerBound])) } }
            }
            #expect(starts.count == 3 && Set(starts).count == 1, "\(size): \(starts)")
            let text = rows.joined(separator: " ").replacingOccurrences(of: "│", with: " ")
            let words = text.split(separator: " ").joined(separator: " ")
            #expect(words.contains("or a duration like 6h, 2d or 90m"), "\(size): the refusal whole")
        }
    }
}

/// The changes waiting for a second person on the table primitive: one column per part, lined
/// up in every row; a long name never pushes the expiry off the row.
@Suite struct PendingListLayoutTests {
    @Test func theExpiryLinesUpAndIsNeverCut() {
        var long = FourEyesRevealReducerTests.change
        long.id = 5
        long.proposedBy = "maria.fernanda.gonzalez-de-la-cruz"
        for size in [Size(width: 80, height: 24), Size(width: 120, height: 40)] {
            var state = Fixture.state(size: size, environment: "production")
            _ = state.reduce(.key(.character("2")))
            _ = state.reduce(.pendingLoaded([FourEyesRevealReducerTests.change, FourEyesRevealReducerTests.secured, long]))
            let rows = state.render().rows.filter { $0.contains("expires 11-26") }
            #expect(rows.count == 3, "\(size): \(rows)")
            let columns = rows.map { row in row.range(of: "expires").map { TerminalText.width(String(row[..<$0.lowerBound])) } }
            #expect(Set(columns).count == 1, "\(size): \(rows)")
            #expect(rows.allSatisfy { $0.contains(" 13:00") || $0.contains(" 14:59") }, "the expiry's time whole")
            #expect(rows.allSatisfy { $0.contains("#3 ") || $0.contains("#4 ") || $0.contains("#5 ") })
        }
    }
}

/// What the Config screen writes under the list stays in its body: at the bottom a text that
/// does not fit ends with `…` (before, the rule's second line fell under the status line).
@Suite struct ConfigBodyBottomTests {
    @Test func theRuleAtTheBottomIsMarkedCutNotDropped() {
        var state = Fixture.state(environment: "production")
        _ = state.reduce(.key(.character("2")))
        // Complete (no "missing" line): the webhookAuthorization row took that row.
        var complete = Fixture.config
        complete.plain[.webhookUrl] = "https://merchant.example/hooks/cleo"
        complete.secrets[.mexicoApiKey] = .init(mask: "••••abcd", fingerprint: "hmac:0a1b2c3d", setAt: Fixture.now)
        _ = state.reduce(.configLoaded(complete))
        _ = state.reduce(.pendingLoaded([FourEyesRevealReducerTests.change, FourEyesRevealReducerTests.secured]))
        state.config.refusal = "ops is not permitted: support may not approve or reject a pending change: that needs the role engineer (not recorded: this user may only read the database)"
        let rows = state.render().rows
        let rule = rows.lastIndex { $0.contains("rule: required") }!
        let last = rows[state.frame.body.bottom - 1]
        #expect(rule == state.frame.body.bottom - 1 || last.contains("characters"), "\(rows[rule...])")
        #expect(rows[rule].trimmingCharacters(in: .whitespaces).hasSuffix("…") || rows[rule + 1].contains("characters"), "\(rows[rule])")
    }
}
