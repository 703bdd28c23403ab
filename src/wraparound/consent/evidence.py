"""What makes a consent's evidence sufficient: the same rule for data-sharing consent and consent to enroll."""

from __future__ import annotations

SIGNED_DOCUMENT = "signed_document"
VERBAL = "verbal"


def evidence_problem(evidence: str, document_sha256: str, attestation: str) -> str | None:
    """Why this evidence does not stand (a sentence for the screen), or None when it does."""
    if evidence == SIGNED_DOCUMENT and not document_sha256:
        return "A signed consent needs its document."
    if evidence == VERBAL and not attestation.strip():
        return "A verbal consent needs the attestation of who heard it."
    if evidence not in (SIGNED_DOCUMENT, VERBAL):
        return f"Unknown kind of evidence {evidence!r}: a signed document or an attested verbal consent."
    return None
