import CleoDomain
import Testing

/// The cashier's answers normalised (cashier.md's table, row by row), and the exit status each
/// gets; the body, template, curl line and base URL rules.
@Suite struct CashierAnswerTests {
    func answer(_ status: Int, _ body: String, method: PaymentMethod = .payIn, userToken: Bool = false) -> CashierOutcome {
        CashierOutcome.normalise(.http(status: status, body: Array(body.utf8)), method: method, sentUserToken: userToken)
    }

    @Test func aPendingPayInIsCreatedWithItsPageSessionAndTransaction() {
        let o = answer(200, #"{"status":"success","isSuccess":true,"data":{"status":"PENDING","url":"https://checkout.cleo.finance/x","sessionId":"s1","transactionId":"t1"}}"#)
        #expect(o.result == .created && o.result.exitStatus == 0)
        #expect(o.url == "https://checkout.cleo.finance/x" && o.sessionID == "s1" && o.transactionID == "t1")
        #expect(o.lines.first == "created: PENDING (HTTP 200)")
    }

    @Test func aPendingPayOutWithoutTransactionIdSaysTheListWaitsForItsWebhook() {
        let o = answer(200, #"{"status":"success","isSuccess":true,"data":{"status":"PENDING","sessionId":"s2"}}"#, method: .payOut)
        #expect(o.result == .created && o.transactionID == nil && o.url == nil)
        #expect(o.guidance?.contains("no transactionId") == true)
    }

    @Test func aSuccessWithoutPendingIsNotCreated() {
        #expect(answer(200, #"{"status":"success","isSuccess":false,"message":"voucher invalid"}"#).result == .refused)
        #expect(answer(200, #"{"status":"success","isSuccess":true,"data":{"status":"FAILED"}}"#).result == .refused)
    }

    @Test(arguments: PSPErrorCode.allCases)
    func everyErrorCodeIsToldWithItsMeaningAndGuidance(code: PSPErrorCode) {
        let o = answer(400, #"{"status":"error","isSuccess":false,"errorCode":"\#(code.rawValue)","message":"Payment could not be processed.","transactionId":"t9","errors":[]}"#)
        #expect(o.result == .refused && o.result.exitStatus == 65)
        #expect(o.errorCode == code.rawValue && o.transactionID == "t9" && o.message == "Payment could not be processed.")
        #expect(o.guidance == code.guidance(for: .payIn))
        #expect(o.lines.contains("errorCode \(code.rawValue): \(code.meaning)"))
    }

    @Test func anErrorCodeOnAPayOutAsksFirstThatNoMoneyMoved() {
        let o = answer(500, #"{"errorCode":"PSP_TIMEOUT","message":"m"}"#, method: .payOut)
        #expect(o.result == .refused)
        #expect(o.guidance?.hasPrefix("Pay-out: first confirm with Cleo that no money moved") == true)
    }

    @Test func anUnknownErrorCodeIsShownAsGiven() {
        let o = answer(400, #"{"errorCode":"NEW_CODE","message":"m"}"#)
        #expect(o.errorCode == "NEW_CODE" && o.lines.contains { $0.contains("does not know") })
    }

    @Test func validationFailedListsEachError() {
        let o = answer(400, #"{"status":"error","message":"Validation failed","isSuccess":false,"errors":["amount must not be empty","email must be a valid email"]}"#)
        #expect(o.result == .refused && o.errors == ["amount must not be empty", "email must be a valid email"])
        #expect(o.lines.contains("error: email must be a valid email"))
    }

    @Test func missingRequiredFieldIsToldAsItsMessage() {
        let o = answer(400, #"{"status":"error","message":"Missing required field: pspType","isSuccess":false,"errors":[]}"#)
        #expect(o.result == .refused && o.message == "Missing required field: pspType")
        #expect(o.guidance?.hasPrefix("Fix the request") == true)
    }

    @Test func noOrchestrationRuleSaysWhatToCreateInTheBackOffice() {
        let o = answer(400, #"{"status":"error","message":"Rules action is not matched","isSuccess":false}"#)
        #expect(o.result == .refused && o.guidance?.contains("active Orchestration rule") == true && o.guidance?.contains("CLEO") == true)
    }

    @Test func missingPSPConfigurationSaysToSaveItEvenWhenTheDetailIsInData() {
        let o = answer(400, #"{"status":"error","message":"Something went wrong","isSuccess":false,"data":"PSP Configuration not found. Please check you psp Configuration"}"#)
        #expect(o.result == .refused && o.detail == "PSP Configuration not found. Please check you psp Configuration")
        #expect(o.guidance?.contains("Payment Methods → Configuration") == true)
    }

    @Test func unauthorizedAndForbiddenAreTheToken() {
        let a = answer(401, #"{"status":"error","message":"Unauthorized","isSuccess":false}"#)
        let b = answer(403, #"{"status":"error","message":"Forbidden","isSuccess":false}"#)
        #expect(a.result == .tokenRefused && a.result.exitStatus == 77 && a.guidance?.contains("missing, expired") == true)
        #expect(b.result == .tokenRefused && b.guidance?.contains("not allowed") == true)
    }

    @Test func aServerErrorMayOrMayNotHaveCreatedTheRequest() {
        let o = answer(500, #"{"status":"error","message":"Internal server error","data":"Something went wrong"}"#)
        #expect(o.result == .failing && o.result.exitStatus == 69)
        #expect(o.guidance?.contains("may or may not have been created") == true)
        #expect(answer(504, "{}", userToken: true).guidance?.contains("x-user-token") == true)
        #expect(answer(504, "{}", userToken: false).guidance?.contains("x-user-token") == false)
    }

    @Test func aBodyThatIsNotJSONIsFailingWhateverTheStatus() {
        for (status, body) in [(200, "<html>ok</html>"), (502, "Bad Gateway"), (200, ""), (200, "[1]"), (400, "{\"a\":")] {
            let o = answer(status, body)
            #expect(o.result == .failing && o.httpStatus == status)
            #expect(o.guidance?.contains("may or may not") == true)
        }
    }

    @Test(arguments: [TransportFailure.timeout(seconds: 30), .connectionRefused, .tls("bad certificate"), .other("reset")])
    func noAnswerIsFailingAndMayOrMayNotExist(failure: TransportFailure) {
        let o = CashierOutcome.normalise(.transport(failure), method: .payIn)
        #expect(o.result == .failing && o.httpStatus == nil && o.guidance?.contains("may or may not") == true)
    }

    @Test func anUndocumentedStatusIsFailing() {
        #expect(answer(302, "{}").result == .failing)
        #expect(answer(404, #"{"message":"Not Found"}"#).result == .refused)
    }

    @Test func platformTextIsBoundedAndAnEchoedSecretIsRedacted() {
        let long = String(repeating: "x", count: 5_000)
        let o = answer(400, #"{"message":"\#(long)","errors":["Bearer tok-SECRET-123 was bad"]}"#)
        #expect(o.message!.count == CashierOutcome.maximumTextLength + 1)
        let clean = o.redacting(["tok-SECRET-123"])
        #expect(clean.errors == ["Bearer [redacted] was bad"])
    }

    // MARK: the body

    @Test(arguments: Region.allCases)
    func theTemplateOfEveryCountryIsAValidRequestForBothTypes(region: Region) {
        for method in PaymentMethod.allCases {
            let body = CashierBody.template(region, method: method)
            let result = CashierRequest.validate(body, today: "2026-12-01", expected: method)
            #expect(result.problems == [] && result.warnings == [])
            #expect(result.region == region && result.method == method)
        }
    }

    @Test func theRenderedBodyParsesBackToTheSameObjectAndIsPlainASCII() throws {
        var body = CashierBody.template(.mexico, method: .payIn)
        CashierBody.set("lastName", to: .string("O'Brien \"Ñandú\" \u{202E}\n"), in: &body)
        let text = CashierBody.render(.object(body))
        #expect(text.utf8.allSatisfy { (0x20..<0x7F).contains($0) && $0 != 0x27 })
        #expect(try StrictJSONParser.parse(Array(text.utf8)) == .object(body))
        #expect(text.contains(#""baseamount":200.00"#))
    }

    @Test func settingAFieldReplacesItInPlaceAndReachesIntoTheAddress() {
        var body = JSONObject(members: [("a", .string("1")), ("b", .string("2")), ("a", .string("3"))])
        CashierBody.set("a", to: .string("x"), in: &body)
        #expect(body.members.map(\.key) == ["a", "b"] && body["a"] == .string("x"))
        CashierBody.set("address.city", to: .string("Lima"), in: &body)
        guard case .object(let address)? = body["address"] else { Issue.record("no address"); return }
        #expect(address["city"] == .string("Lima"))
    }

    @Test func theCurlLineNamesTheTokenAsAVariable() {
        let curl = CashierBody.curl(url: "https://backend.stg-app.mozarto.io/v1/api/mozarto/cashier", body: "{\"a\":1}", userToken: true)
        #expect(curl.contains("\"Authorization: Bearer $MOZARTO_TOKEN\""))
        #expect(curl.contains("\"x-user-token: $MOZARTO_USER_TOKEN\""))
        #expect(curl.contains("--data-raw '{\"a\":1}'"))
    }

    @Test func theBaseURLMustBeHTTPSExceptToThisMachine() {
        #expect(PlatformURL.problem("https://backend.stg-app.mozarto.io") == nil)
        #expect(PlatformURL.problem("http://127.0.0.1:8080") == nil)
        #expect(PlatformURL.problem("http://localhost:1") == nil)
        #expect(PlatformURL.problem("http://[::1]:1") == nil)
        #expect(PlatformURL.problem("http://backend.app.mozarto.io") != nil)
        #expect(PlatformURL.problem("http://127.0.0.1.evil.example") != nil)
        #expect(PlatformURL.problem("https://user:pw@backend.app.mozarto.io") != nil)
        #expect(PlatformURL.problem("https://backend.app.mozarto.io/?x=1") != nil)
        #expect(PlatformURL.problem("ftp://x") != nil)
        #expect(PlatformURL.problem("https://a b") != nil)
        #expect(PlatformURL.problem("backend.app.mozarto.io") != nil)
    }
}
