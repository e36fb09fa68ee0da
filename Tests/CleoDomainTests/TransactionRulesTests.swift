import Crypto
import CleoDomain
import Testing

/// One test per rule of events-log.md "From events to transactions".
@Suite struct TransactionRulesTests {
    func event(_ status: TransactionStatus, raw: String = "", user: String = "u1", amount: String? = "100.00",
               currency: Currency? = .pen, method: PaymentMethod = .payIn, message: String? = nil,
               errorCode: String? = nil, eventID: String? = nil, id: String = "tx") -> WebhookEvent {
        WebhookEvent(transactionID: id, method: method, status: status, rawStatus: raw, userID: user,
                     amount: amount.flatMap(Amount.init(literal:)), currency: currency, message: message,
                     errorCode: errorCode, eventID: eventID)
    }

    /// Applies events in order; returns the state and each outcome.
    func run(_ events: [WebhookEvent]) -> (TransactionState, [EventOutcome]) {
        var state: TransactionState?
        var history = EventHistory()
        let outcomes = events.map { TransactionRules.apply($0, to: &state, history: &history) }
        return (state!, outcomes)
    }

    @Test func rule1_theFirstEventCreatesAndLaterEventsFillIn() {
        let (state, outcomes) = run([
            event(.pending, amount: nil, currency: nil),
            event(.pending, raw: "WAITING", amount: "50.5", currency: .pen),
            event(.pending, raw: "WAITING2", amount: "70", currency: .pen),
        ])
        #expect(outcomes[0].created)
        #expect(outcomes[1].filledFields == ["amount", "currency", "countryCode"])
        #expect(state.amount?.literal == "50.5")
        #expect(state.region == .peru)
        // the third event's different amount is a mismatch, not a fill-in
        #expect(outcomes[2].mismatchedFields == ["amount"])
        #expect(state.flags == .mismatch)
    }

    @Test func rule2_pendingIsNotFinalApprovedAndDeclinedAre() {
        #expect(!TransactionStatus.pending.isFinal)
        #expect(TransactionStatus.approved.isFinal && TransactionStatus.declined.isFinal)
        let (state, _) = run([event(.pending), event(.approved, raw: "SUCCESS")])
        #expect(state.status == .approved)
    }

    @Test func rule3_aPendingAfterAFinalStatusIsLateAndChangesNoStatus() {
        let (state, outcomes) = run([event(.pending), event(.declined, raw: "REJECTED", message: "no funds"), event(.pending, raw: "LATE")])
        #expect(outcomes[2].late)
        #expect(state.status == .declined)
        #expect(state.rawStatus == "REJECTED")  // rule 7: late events do not set raw status
        #expect(state.message == "no funds")
        #expect(state.flags.isEmpty)
    }

    @Test func rule4_aDifferentFinalStatusWinsAndIsFlaggedConflict() {
        let (state, outcomes) = run([event(.approved, raw: "SUCCESS"), event(.declined, raw: "REVERSED")])
        #expect(outcomes[1].conflict)
        #expect(state.status == .declined)
        #expect(state.flags == .conflict)
        // the same final status again is not a conflict
        let (same, _) = run([event(.approved, raw: "SUCCESS"), event(.approved, raw: "SETTLED")])
        #expect(same.flags.isEmpty)
        #expect(same.rawStatus == "SETTLED")
    }

    @Test func rule5_differingValuesAreRecordedFlaggedAndNotAdopted() {
        let (state, outcomes) = run([
            event(.pending),
            event(.approved, user: "u2", amount: "100", currency: .mxn, method: .payOut),
        ])
        #expect(outcomes[1].mismatchedFields == ["method", "user_id", "currency", "countryCode"])
        #expect(state.userID == "u1" && state.method == .payIn && state.currency == .pen)
        #expect(state.flags == .mismatch)
        #expect(state.status == .approved)  // rules 2–4 still decide the status
    }

    @Test func rule5_amountsCompareAsNumbers() {
        let (state, outcomes) = run([event(.pending, amount: "100"), event(.approved, amount: "100.00")])
        #expect(outcomes[1].mismatchedFields.isEmpty)
        #expect(state.flags.isEmpty)
    }

    @Test func rule6_aDuplicateByEventIdChangesNothingEvenWithDifferentContent() {
        let (state, outcomes) = run([
            event(.pending, raw: "A", eventID: "ev-1"),
            event(.approved, raw: "B", user: "other", eventID: "ev-1"),
        ])
        #expect(outcomes[1].duplicate)
        #expect(state.status == .pending && state.rawStatus == "A" && state.flags.isEmpty)
        #expect(state.eventCount == 2)  // duplicates are counted as accepted lines
    }

    @Test func rule6_withoutEventIdTheSameContentIsADuplicateWhateverTheReceivedTime() {
        var first = event(.approved, raw: "SUCCESS", message: "ok")
        first.receivedAt = Timestamp(millisecondsSince1970: 1)
        var retry = first
        retry.receivedAt = Timestamp(millisecondsSince1970: 99)
        retry.pspTransactionID = "not compared"
        let (_, outcomes) = run([first, retry, event(.approved, raw: "SUCCESS", message: "ok!")])
        #expect(outcomes[1].duplicate)
        #expect(!outcomes[2].duplicate)  // a different message is a new event
    }

    @Test func rule6_aDuplicateNeitherFillsInNorFlags() {
        let (state, outcomes) = run([
            event(.pending, amount: nil, currency: nil, eventID: "e"),
            event(.declined, user: "x", amount: "5", currency: .clp, eventID: "e"),
        ])
        #expect(outcomes[1].duplicate)
        #expect(state.amount == nil && state.flags.isEmpty)
    }

    @Test func rule7_rawStatusErrorAndMessageFollowTheLatestNonDuplicateNonLateEvent() {
        let (state, _) = run([
            event(.pending, raw: "CREATED", message: "created"),
            event(.declined, raw: "FAILED", message: "timeout", errorCode: "PSP_TIMEOUT"),
            event(.declined, raw: "FAILED", message: "timeout", errorCode: "PSP_TIMEOUT"),
            event(.pending, raw: "LATE", message: "late one", errorCode: "X"),
        ])
        #expect(state.rawStatus == "FAILED")
        #expect(state.errorCode == "PSP_TIMEOUT")
        #expect(state.message == "timeout")
        #expect(state.eventCount == 4)
    }

    @Test func idsEqualOnlyAfterUnicodeNormalisationStayDistinct() {
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed)  // Swift's String equality normalises…
        #expect(!composed.sameBytes(as: decomposed))  // …the spec does not
        var one = event(.pending, user: composed, eventID: nil)
        var two = one
        two.userID = decomposed
        one.message = "m"
        two.message = "m"
        var history = EventHistory()
        history.record(one)
        #expect(!history.isDuplicate(two))
    }

    /// The history scans small arrays and switches to sets past a threshold: duplicates are
    /// found the same way on both sides of it, by event id and by content.
    @Test func duplicatesAreFoundBeforeAndAfterTheHistoryIsIndexed() {
        for count in [3, 40] {
            var history = EventHistory()
            let withIDs = (0..<count).map { event(.pending, raw: "R\($0)", eventID: "ev-\($0)") }
            let withoutIDs = (0..<count).map { event(.pending, raw: "S\($0)") }
            for e in withIDs + withoutIDs { history.record(e) }
            #expect(withIDs.allSatisfy { history.isDuplicate($0) })
            #expect(withoutIDs.allSatisfy { history.isDuplicate($0) })
            #expect(!history.isDuplicate(event(.pending, raw: "R0", eventID: "ev-new")))
            #expect(!history.isDuplicate(event(.pending, raw: "S-new")))
            // an event id is compared byte for byte: a decomposed spelling is a different event
            history.record(event(.pending, eventID: "caf\u{E9}"))
            #expect(!history.isDuplicate(event(.pending, eventID: "cafe\u{301}")))
            #expect(history.isDuplicate(event(.pending, eventID: "caf\u{E9}")))
        }
    }

    /// The framing as first shipped (an array, `String` lengths, one hash): the stored
    /// signatures of every existing database were made this way, so the stack-framed
    /// signature must give exactly these bytes, for any field bytes and lengths.
    static func shippedSignature(_ event: WebhookEvent) -> [UInt8] {
        var bytes: [UInt8] = []
        func field(_ text: String?) {
            guard let text else { bytes.append(0x2D); return }
            bytes.append(contentsOf: String(text.utf8.count).utf8)
            bytes.append(0x3A)
            bytes.append(contentsOf: text.utf8)
        }
        field(event.method.rawValue)
        field(event.userID)
        field(event.status.rawValue)
        field(event.rawStatus)
        field(event.amount.map { String($0.hundredths) })
        field(event.currency?.rawValue)
        field(event.message)
        return Array(SHA256.hash(data: bytes).prefix(16))
    }

    @Test func aSignatureIsTheShippedFramingsHash() {
        let long = String(repeating: "\u{E9}", count: 700)  // past the 512-byte frame: hashed in pieces
        let events = [
            event(.approved, raw: "SUCCESS", message: "ok"),
            event(.pending, raw: "", user: "", amount: nil, currency: nil, message: nil),
            event(.declined, raw: "REJECTED", amount: "0", message: ""),
            event(.declined, raw: "R\u{0}X", user: "u\u{0}", amount: "9999999999999999.99", message: "a\u{0}b"),
            event(.pending, raw: long, user: "cafe\u{301}", amount: "12.5", method: .payOut, message: long + long),
            event(.approved, raw: String(repeating: "x", count: 509), message: String(repeating: "y", count: 511)),
        ]
        for e in events {
            #expect(EventSignature(of: e).bytes == Self.shippedSignature(e))
        }
    }

    @Test func aSignatureSurvivesItsStoredBytes() {
        let signature = EventSignature(of: event(.approved, raw: "SUCCESS", message: "ok"))
        #expect(signature.bytes.count == 16)
        #expect(EventSignature(bytes: signature.bytes) == signature)
        #expect(signature != EventSignature(of: event(.approved, raw: "SUCCESS", message: "ok!")))
    }

    /// README: psp id and merchant reference are the first non-empty ones seen — an empty first
    /// value must not stay for good.
    @Test func pspIdAndReferenceAreTheFirstNonEmptySeen() {
        var first = event(.pending)
        first.pspTransactionID = ""
        first.merchantReference = ""
        var second = event(.pending, raw: "WAITING")
        second.pspTransactionID = "cleo-42"
        second.merchantReference = "REF-9"
        var third = event(.approved, raw: "SUCCESS")
        third.pspTransactionID = "cleo-other"
        third.merchantReference = ""
        let (state, _) = run([first, second, third])
        #expect(state.pspTransactionID == "cleo-42")
        #expect(state.merchantReference == "REF-9")
        // An empty reference alone is still kept ("may be empty"), not dropped to nil.
        let (alone, _) = run([first])
        #expect(alone.merchantReference == "")
    }
}
