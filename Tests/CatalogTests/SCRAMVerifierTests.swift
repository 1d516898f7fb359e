import Foundation
@testable import MeshCatalog
import Testing

/// SCRAM-SHA-256 as RFC 7677 §3 gives its example: the verifier of "pencil" accepts the
/// example's proof and signs as the example's server does; a proof of another password fails.
@Suite struct SCRAMVerifierTests {
    @Test func theRFCExampleSignsIn() throws {
        let salt = Array(Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")!)
        let verifier = SCRAMVerifier(password: Array("pencil".utf8), salt: salt)
        let nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
        let authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=\(nonce),s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=\(nonce)"
        let proof = Array(Data(base64Encoded: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")!)
        let signature = verifier.verify(proof: proof, authMessage: Array(authMessage.utf8))
        #expect(signature.map { Data($0).base64EncodedString() } == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        let other = SCRAMVerifier(password: Array("pencils".utf8), salt: salt)
        #expect(other.verify(proof: proof, authMessage: Array(authMessage.utf8)) == nil)
        #expect(try SCRAMVerifier(stored: verifier.stored) == verifier)
        #expect(throws: Error.self) { try SCRAMVerifier(stored: "nonsense") }
    }
}
