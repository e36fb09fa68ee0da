import Testing
@testable import CleoService

@Suite struct DeliveryGateTests {
    let open = WebhookSettings(path: "/hooks/cleo", isSecured: false, authorization: nil)
    let secured = WebhookSettings(path: "/hooks/cleo", isSecured: true, authorization: Array("Bearer s3cret".utf8))

    func check(_ method: String = "POST", _ path: String = "/hooks/cleo", type: String? = "application/json", length: String? = "10",
               auth: String? = nil, _ settings: WebhookSettings? = nil) -> DeliveryGate.Verdict {
        DeliveryGate.check(method: method, path: path, contentType: type, contentLength: length, authorization: auth.map { Array($0.utf8) },
                           settings: settings ?? open)
    }

    func status(_ verdict: DeliveryGate.Verdict) -> Int? {
        if case .refuse(let status, _, _) = verdict { return status }
        return nil
    }

    @Test func anotherPathIs404AndAnotherMethod405NeitherRecorded() {
        #expect(check("POST", "/hooks/other") == .refuse(status: 404, reason: "no such path", recorded: false))
        #expect(check("POST", "/hooks/cleo/") == .refuse(status: 404, reason: "no such path", recorded: false))
        #expect(check("GET") == .refuse(status: 405, reason: "only POST is accepted here", recorded: false))
        #expect(status(check("PUT")) == 405)
        #expect(status(check(auth: nil, WebhookSettings(path: nil, isSecured: false, authorization: nil))) == 404)
    }

    @Test func contentType() {
        for ok in ["application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=\"UTF-8\"", " application/json "] {
            #expect(check(type: ok) == .readBody, "\(ok)")
        }
        for bad in [nil, "text/plain", "application/jsonx", "application/json; charset=latin1", "", "application/x-www-form-urlencoded"] {
            #expect(status(check(type: bad)) == 415, "\(bad ?? "nil")")
        }
    }

    @Test func aDeclaredLengthOver1MiBIs413BeforeAnyRead() {
        #expect(check(length: String(1 << 20)) == .readBody)
        #expect(status(check(length: String((1 << 20) + 1))) == 413)
        #expect(status(check(length: "-1")) == 400)
        #expect(status(check(length: "12abc")) == 400)
        #expect(check(length: nil) == .readBody)  // chunked: counted while read
    }

    @Test func securedModeNeedsExactlyTheValue() {
        #expect(check(auth: "Bearer s3cret", secured) == .readBody)
        #expect(check(auth: nil, secured) == .refuse(status: 401, reason: "Authorization header missing", recorded: true))
        for wrong in ["Bearer s3cre", "Bearer s3cret ", "bearer s3cret", "", "Bearer s3cretBearer s3cret", "Bearer s3creT"] {
            #expect(check(auth: wrong, secured) == .refuse(status: 401, reason: "Authorization header wrong", recorded: true), "\(wrong)")
        }
        // Not secured: the header is not required, and any value is fine.
        #expect(check(auth: "whatever", open) == .readBody)
        // Secured with no value configured refuses everything rather than letting anything in.
        #expect(status(check(auth: "x", WebhookSettings(path: "/hooks/cleo", isSecured: true, authorization: nil))) == 401)
    }

    @Test func authorizationIsCheckedBeforeTheContent() {
        #expect(status(check(type: "text/plain", length: "99999999", auth: nil, secured)) == 401)
    }

    @Test func constantTimeEqual() {
        #expect(DeliveryGate.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!DeliveryGate.constantTimeEqual(Array("abd".utf8), Array("abc".utf8)))
        #expect(!DeliveryGate.constantTimeEqual(Array("ab".utf8), Array("abc".utf8)))
        #expect(!DeliveryGate.constantTimeEqual(Array("abcabc".utf8), Array("abc".utf8)))
        #expect(!DeliveryGate.constantTimeEqual([], []))
        #expect(!DeliveryGate.constantTimeEqual([0], []))
    }

    @Test func thePathOfTheWebhookURL() {
        #expect(WebhookSettings.path(ofWebhookURL: "https://ops.example.com/hooks/cleo") == "/hooks/cleo")
        #expect(WebhookSettings.path(ofWebhookURL: "https://ops.example.com:8443/hooks/cleo?x=1#f") == "/hooks/cleo")
        #expect(WebhookSettings.path(ofWebhookURL: "https://ops.example.com") == "/")
        #expect(WebhookSettings.path(ofWebhookURL: "https://ops.example.com/a%20b") == "/a%20b")
        #expect(WebhookSettings.path(ofWebhookURL: nil) == nil)
    }
}
