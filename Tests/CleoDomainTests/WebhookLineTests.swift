import CleoDomain
import Testing

@Suite struct WebhookLineTests {
    @Test func aCompleteLineIsAccepted() {
        let event = accepted(line([("psp_transaction_id", "\"60a74038\""), ("message", "\"ok\""), ("merchantReference", "\"\""),
                                   ("errorCode", "\"PSP_TIMEOUT\""), ("receivedAt", "\"2026-11-25T10:00:00.250-03:00\""), ("eventId", "\"ev-1\""),
                                   ("unlisted", "{\"nested\":[1,2,{\"x\":null}]}")]))
        #expect(event?.transactionID == "tx-1")
        #expect(event?.method == .payIn)
        #expect(event?.status == .pending)
        #expect(event?.rawStatus == "PENDING")
        #expect(event?.amount?.literal == "10000.00")
        #expect(event?.currency == .clp)
        #expect(event?.region == .chile)
        #expect(event?.merchantReference == "")
        #expect(event?.errorCode == "PSP_TIMEOUT")
        #expect(event?.eventID == "ev-1")
        #expect(event?.receivedAt == RFC3339.parse("2026-11-25T13:00:00.250Z"))
    }

    @Test func blankLinesAreSkipped() {
        #expect(verdict("") == .blank)
        #expect(verdict(" \t  ") == .blank)
        #expect(verdict("\r") == .blank)
    }

    @Test func aCarriageReturnBeforeTheLineFeedIsRemoved() {
        #expect(accepted(line() + "\r")?.transactionID == "tx-1")
    }

    // One test per rejection code, in the spec's order.
    @Test func lineTooLong() {
        let monster = "{\"transaction_id\":\"" + String(repeating: "x", count: 1_048_577) + "\"}"
        #expect(rejectionCode(monster) == .lineTooLong)
        // exactly 1 MiB is not too long (it is just invalid here)
        let limit = [UInt8](repeating: 0x78, count: 1_048_576)
        if case .rejected(let r) = WebhookLineParser.parse(limit) { #expect(r.code == .invalidJSON) }
    }

    @Test func invalidUTF8() {
        var bytes = Array(line().utf8)
        bytes.insert(0xFF, at: 20)
        if case .rejected(let r) = WebhookLineParser.parse(bytes) { #expect(r.code == .invalidUTF8) } else { Issue.record("accepted") }
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let candidate = Array("{\"a\":\"".utf8) + bad + Array("\"}".utf8)
            if case .rejected(let r) = WebhookLineParser.parse(candidate) { #expect(r.code == .invalidUTF8) } else { Issue.record("accepted \(bad)") }
        }
    }

    @Test(arguments: [
        "{", "{\"a\":1,}", "[1,]", "{\"a\":NaN}", "{\"a\":Infinity}", "{'a':1}", "{\"a\":1} // c", "/*c*/{}",
        "\u{FEFF}{}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":01}",
        "{\"a\":1.}", "{\"a\":.5}", "{\"a\":\"tab\there\"}", "{\"a\":\"\\x41\"}", "{\"a\":tru}", "{} {}", "{\"a\" 1}",
        "{\"a\":-}", "{\"a\":1e}", "{\"a\":+1}",
    ])
    func invalidJSON(text: String) {
        #expect(rejectionCode(text) == .invalidJSON)
    }

    @Test(arguments: ["[]", "[{\"transaction_id\":\"x\"}]", "\"text\"", "12", "true", "null"])
    func notAnObject(text: String) {
        #expect(rejectionCode(text) == .notAnObject)
    }

    @Test(arguments: ["transaction_id", "method", "transaction_status", "status", "user_id"])
    func missingField(field: String) {
        #expect(rejectionCode(line(dropping: [field])) == .missingField)
        #expect(rejectionCode(line([(field, "null")])) == .missingField)
    }

    @Test func missingComesBeforeWrongType() {
        #expect(rejectionCode(line([("transaction_id", "5")], dropping: ["user_id"])) == .missingField)
    }

    @Test(arguments: [
        ("transaction_id", "5"), ("method", "true"), ("transaction_status", "[]"), ("status", "1"), ("user_id", "{}"),
        ("amount", "true"), ("currency", "1"), ("countryCode", "false"), ("psp_transaction_id", "1"), ("message", "[]"),
        ("merchantReference", "0"), ("errorCode", "{}"), ("receivedAt", "1732533600"), ("eventId", "7"),
        ("transaction_id", "\"\""), ("user_id", "\"\""), ("receivedAt", "\"2026-11-25 10:00:00Z\""),
        ("receivedAt", "\"2026-02-30T10:00:00Z\""), ("receivedAt", "\"2026-11-25T10:00:00\""),
    ])
    func wrongType(field: String, value: String) {
        #expect(rejectionCode(line([(field, value)])) == .wrongType)
    }

    @Test func idsAreCappedAt128Scalars() {
        let ok = String(repeating: "ñ", count: 128)  // 256 bytes but 128 scalars
        #expect(accepted(line([("transaction_id", "\"\(ok)\"")]))?.transactionID == ok)
        #expect(rejectionCode(line([("user_id", "\"\(String(repeating: "u", count: 129))\"")])) == .wrongType)
    }

    @Test(arguments: ["\"\"", "\"cleo_payin\"", "\"NEOSURF_PAYIN\"", "\"CLEO_PAYIN \""])
    func unknownMethod(value: String) {
        #expect(rejectionCode(line([("method", value)])) == .unknownMethod)
    }

    @Test func statusIsMatchedWithoutRegardToASCIICase() {
        #expect(accepted(line([("transaction_status", "\"APPROVED\"")]))?.status == .approved)
        #expect(accepted(line([("transaction_status", "\"declined\"")]))?.status == .declined)
        #expect(accepted(line([("transaction_status", "\"pEnDiNg\"")]))?.status == .pending)
        #expect(TransactionStatus.approved.rawValue == "Approved")
    }

    @Test(arguments: ["\"\"", "\"Failed\"", "\"Approved \"", "\"ＡＰＰＲＯＶＥＤ\""])
    func unknownStatus(value: String) {
        #expect(rejectionCode(line([("transaction_status", value)])) == .unknownStatus)
    }

    @Test(arguments: ["\"USD\"", "\"clp\"", "\"\"", "\"EUR\""])
    func unsupportedCurrency(value: String) {
        #expect(rejectionCode(line([("currency", value)])) == .unsupportedCurrency)
    }

    @Test func countryMismatch() {
        #expect(rejectionCode(line([("countryCode", "\"AR\"")])) == .countryMismatch)
        #expect(rejectionCode(line([("countryCode", "\"PE\"")])) == .countryMismatch)  // with CLP
        #expect(rejectionCode(line([("countryCode", "\"MX\""), ("currency", "\"PEN\"")])) == .countryMismatch)
    }

    @Test(arguments: ["\"0\"", "\"0.00\"", "\"-5\"", "\"12.345\"", "12.345", "1e3", "-1", "\"10000.50\"", "10000.50", "\"1,000\"", "\" 100\"", "0"])
    func invalidAmount(value: String) {
        #expect(rejectionCode(line([("amount", value)])) == .invalidAmount)
    }

    @Test func amountsAsNumbersKeepTheirLiteralText() {
        #expect(accepted(line([("amount", "10000.00")]))?.amount?.literal == "10000.00")
        #expect(accepted(line([("amount", "12.50"), ("currency", "\"PEN\""), ("countryCode", "\"PE\"")]))?.amount?.literal == "12.50")
    }

    @Test func clpTenThousandWithZeroCentsIsAcceptedAndFiftyCentsRefused() {
        #expect(accepted(line([("amount", "\"10000.00\"")]))?.amount?.hundredths == 1_000_000)
        #expect(rejectionCode(line([("amount", "\"10000.50\"")])) == .invalidAmount)
    }

    @Test func aCountryAloneGivesTheLineItsCurrency() {
        let event = accepted(line([("countryCode", "\"CL\"")], dropping: ["currency"]))
        #expect(event?.currency == .clp)
        // and so CLP's rule applies to its amount
        #expect(rejectionCode(line([("countryCode", "\"CL\""), ("amount", "\"5.50\"")], dropping: ["currency"])) == .invalidAmount)
        let mexican = accepted(line([("currency", "\"MXN\"")], dropping: ["countryCode"]))
        #expect(mexican?.region == .mexico)
    }

    @Test func theLastOfARepeatedKeyWins() {
        let text = "{\"transaction_id\":\"a\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Pending\",\"status\":\"\",\"user_id\":\"u\",\"transaction_id\":\"b\"}"
        #expect(accepted(text)?.transactionID == "b")
        // a later null makes the field absent
        let nulled = "{\"transaction_id\":\"a\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Pending\",\"status\":\"\",\"user_id\":\"u\",\"user_id\":null}"
        #expect(rejectionCode(nulled) == .missingField)
    }

    @Test func nullOptionalFieldsCountAsAbsent() {
        let event = accepted(line([("amount", "null"), ("currency", "null"), ("countryCode", "null"), ("message", "null")]))
        #expect(event?.amount == nil)
        #expect(event?.currency == nil)
        #expect(event?.message == nil)
    }

    @Test func escapesAreDecoded() {
        let event = accepted(line([("message", "\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\n\\/\"")]))
        #expect(event?.message == "café 😀 \"q\" \n/")
    }

    @Test func theRawStatusIsKeptAsIsAndMayBeEmpty() {
        #expect(accepted(line([("status", "\"\"")]))?.rawStatus == "")
        #expect(accepted(line([("status", "\"success\"")]))?.rawStatus == "success")
    }
}
