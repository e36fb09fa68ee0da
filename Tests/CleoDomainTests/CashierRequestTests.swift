import CleoDomain
import Testing

@Suite struct CashierRequestTests {
    /// The provider page's example request.
    static let example = """
    {"pspType":"CLEO","type":"PAYIN","baseamount":10000.00,"currency":"CLP","currencyCode":"CLP","userId":"user_123",
     "email":"player@example.com","firstName":"John","lastName":"Doe","phone":"56912345678","gender":"male",
     "dob":"1988-05-20","countryCode":"CL","kycVerified":true,"blocked":false,"isVelocity":false,"transactionCount":"1",
     "userBalance":0,"partnerName":"ExamplePartner","emailVerification":"player@example.com","verificationDate":"2024-01-01",
     "address":{"line1":"Av. Libertador 1234","city":"Santiago","state":"RM","postalCode":"8320000","country":"CL"}}
    """

    func validate(_ text: String) throws -> CashierRequestValidation {
        CashierRequest.validate(try StrictJSONParser.parse(Array(text.utf8)))
    }

    func replacing(_ key: String, with fragment: String?) throws -> CashierRequestValidation {
        guard case .object(var object) = try StrictJSONParser.parse(Array(Self.example.utf8)) else { fatalError() }
        object.members.removeAll { $0.key == key }
        if let fragment { object.members.append((key, try StrictJSONParser.parse(Array(fragment.utf8)))) }
        return CashierRequest.validate(object)
    }

    @Test func theProviderPagesExampleIsValidAndUsesTheChileKey() throws {
        let result = try validate(Self.example)
        #expect(result.problems == [])
        #expect(result.apiKeyField == .chileApiKey)
        #expect(result.method == .payIn)
        #expect(result.amount?.formatted(currency: .clp) == "CLP 10,000")
    }

    @Test func payOutUsesTheSameBody() throws {
        let result = try replacing("type", with: "\"PAYOUT\"")
        #expect(result.isValid && result.method == .payOut)
    }

    // One test per row of the request table: a required field missing is named.
    @Test(arguments: CashierRequest.fields.map(\.name))
    func everyFieldOfTheTableIsChecked(name: String) throws {
        let result = try replacing(name, with: nil)
        let required = CashierRequest.fields.first { $0.name == name }!.required
        #expect(result.problems.contains { $0.field == name && $0.rule == "is required" } == required)
        let wrong = try replacing(name, with: "[]")
        #expect(wrong.problems.contains { $0.field == name })
    }

    @Test func everyProblemIsReportedNotJustTheFirst() throws {
        let result = try validate("""
        {"pspType":"PAYONE","type":"REFUND","baseamount":-5,"currency":"USD","currencyCode":"PEN","userId":"",
         "email":"nope","firstName":"A","lastName":"B","phone":"123","gender":"f","dob":"1990-02-30","countryCode":"PE",
         "kycVerified":"yes","blocked":false,"isVelocity":false,"transactionCount":"x","userBalance":0,"partnerName":"P",
         "emailVerification":"a@b.co","verificationDate":"2024-01-01","address":{"line1":"x","city":"Lima","state":"L","country":"PE"}}
        """)
        let fields = Set(result.problems.map(\.field))
        #expect(fields == ["pspType", "type", "baseamount", "currency", "userId", "email", "phone", "dob", "kycVerified", "transactionCount", "address.postalCode"])
        #expect(result.apiKeyField == .peruApiKey)
    }

    @Test func currencyAndCurrencyCodeMustBeTheCountrysCurrency() throws {
        let result = try replacing("countryCode", with: "\"MX\"")
        #expect(result.problems.map(\.field) == ["currency", "currencyCode", "address.country"])
        #expect(result.apiKeyField == .mexicoApiKey)
    }

    @Test func clpAmountsMustBeWhole() throws {
        #expect(try replacing("baseamount", with: "10000.50").problems.map(\.field) == ["baseamount"])
        #expect(try replacing("baseamount", with: "0").problems.map(\.field) == ["baseamount"])
        #expect(try replacing("baseamount", with: "12.345").problems.map(\.field) == ["baseamount"])
    }

    @Test func phoneNeedsSixDigitsAndCountryMustBeKnown() throws {
        #expect(try replacing("phone", with: "\"+56 9 12\"").problems.map(\.field) == ["phone"])
        #expect(try replacing("phone", with: "\"123456\"").isValid)
        #expect(try replacing("countryCode", with: "\"AR\"").problems.map(\.field) == ["countryCode"])
    }
}

/// The rules the validator gained with the cashier command (cashier.md, "Validation").
@Suite struct CashierRequestRulesTests {
    func example() throws -> JSONObject {
        guard case .object(let object) = try StrictJSONParser.parse(Array(CashierRequestTests.example.utf8)) else { fatalError() }
        return object
    }

    @Test func dobMustBeInThePast() throws {
        var body = try example()
        CashierBody.set("dob", to: .string("2026-12-01"), in: &body)
        #expect(CashierRequest.validate(body, today: "2026-12-01").problems.map(\.field) == ["dob"])
        CashierBody.set("dob", to: .string("2026-11-30"), in: &body)
        #expect(CashierRequest.validate(body, today: "2026-12-01").isValid)
    }

    @Test func theAddressCountryMustBeTheCountryCode() throws {
        var body = try example()
        CashierBody.set("address.country", to: .string("PE"), in: &body)
        let result = CashierRequest.validate(body)
        #expect(result.problems == [RequestProblem(field: "address.country", rule: "must be CL, the countryCode")])
    }

    @Test func unknownFieldsAreWarningsNotErrors() throws {
        var body = try example()
        CashierBody.set("favouriteColour", to: .string("blue"), in: &body)
        CashierBody.set("address.floor", to: .string("3"), in: &body)
        let result = CashierRequest.validate(body)
        #expect(result.isValid)
        #expect(result.warnings.map(\.field) == ["favouriteColour", "address.floor"])
    }

    @Test func aBlockedUserIsAWarning() throws {
        var body = try example()
        CashierBody.set("blocked", to: .bool(true), in: &body)
        let result = CashierRequest.validate(body)
        #expect(result.isValid && result.warnings == [RequestProblem(field: "blocked", rule: "is true: Mozarto may refuse it")])
    }

    @Test func aTypeThatDisagreesWithTheCommandIsAProblem() throws {
        let body = try example()
        #expect(CashierRequest.validate(body, expected: .payOut).problems.map(\.field) == ["type"])
        #expect(CashierRequest.validate(body, expected: .payIn).isValid)
    }

    @Test func aRepeatedFieldIsAProblem() throws {
        var body = try example()
        body.members.append(("userId", .string("someone-else")))
        #expect(CashierRequest.validate(body).problems == [RequestProblem(field: "userId", rule: "appears more than once")])
    }

    @Test func booleansMustBeBooleansAndTheBalanceANumber() throws {
        for (name, value) in [("isVelocity", JSONValue.string("false")), ("blocked", .number("0")), ("userBalance", .string("0")),
                              ("userBalance", .number("-1")), ("emailVerification", .string("no-at-sign")), ("verificationDate", .string("2024-13-01"))] {
            var body = try example()
            CashierBody.set(name, to: value, in: &body)
            #expect(CashierRequest.validate(body).problems.map(\.field) == [name])
        }
    }
}
