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
        #expect(result.problems.map(\.field) == ["currency", "currencyCode"])
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
