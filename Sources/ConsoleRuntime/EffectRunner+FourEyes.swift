import CleoDomain
import CleoPlatform
import CleoStore
import ConsoleUI
import Foundation

/// The Config screen's four eyes, reveal and the `:cashier` form: each through the store's (or
/// the sender's) one path, so the console is audited and recorded exactly as the command line.
extension EffectRunner {
    func decide(_ decision: PendingDecision, id: Int64) -> DecisionResult {
        do {
            let change = try database.decide(decision == .approve ? .approve : .reject, id: id, actor: actor, now: clock())
            return .decided(change)
        } catch let refusal as PendingRefusal {
            return .refused(refusal.description)
        } catch let refusal as PermissionRefusal {
            return .refused(refusal.description)
        } catch {
            return .refused("database: \(error)")
        }
    }

    /// The fingerprint the store will keep for `value`, or why this process cannot say it yet.
    func fingerprinted(_ field: PendingField, _ value: String) -> Action {
        do {
            guard let fingerprint = try database.storedFingerprint(of: value) else {
                return .secretFingerprinted(field, value: value, fingerprint: nil, unavailable: "no key file yet: it is made by the first save")
            }
            return .secretFingerprinted(field, value: value, fingerprint: fingerprint, unavailable: nil)
        } catch {
            return .secretFingerprinted(field, value: value, fingerprint: nil, unavailable: "the key file cannot be read here (\(error))")
        }
    }

    func reveal(_ field: PendingField) -> RevealResult {
        do {
            let at = clock()
            guard let value = try database.revealSecret(field, actor: actor, now: at) else { return .refused("\(field.rawValue) is not set: nothing to reveal") }
            return .shown(value, at: at)
        } catch let refusal as PermissionRefusal {
            return .refused(refusal.description)
        } catch {
            return .refused("not revealed: \(error)")
        }
    }

    /// The form's send, as `cashier payin|payout --send` makes it (the reducer validated the body
    /// and asked; the token is read here, from the file the environment names, never argv).
    func sendCashier(_ request: CashierFormRequest) -> CashierFormResult {
        do {
            guard let tokenPath = CashierSender.tokenPath(given: nil, environment: environment) else {
                return .notSent("no company token: start the console with CLEO_CONSOLE_TOKEN_FILE=FILE (never on the command line); nothing was sent")
            }
            let stored = try database.configuration()
            guard let key = stored.secrets[request.region.apiKeyField] else {
                return .notSent("\(request.region.apiKeyField.rawValue) is not set; nothing was sent")
            }
            let token = try CashierSender.readToken(tokenPath, what: "company token")
            let base = try CashierSender.baseURL(given: nil, environment: environment, database: database.environment)
            let timeout = try CashierSender.timeoutSeconds(given: nil, environment: environment)
            let sent = CashierSender.sendAndRecord(.init(
                baseURL: base, body: request.body, token: token, userToken: nil, timeoutSeconds: timeout,
                method: request.method, region: request.region, userID: request.userID, amount: request.amount,
                keyFingerprint: key.fingerprint, actor: actor, at: clock()), database: database)
            return .answered(sent.outcome, listed: sent.listed, recordError: sent.recordError)
        } catch let problem as CashierSendProblem {
            return .notSent(problem.message)
        } catch {
            return .notSent("database: \(error)")
        }
    }
}
