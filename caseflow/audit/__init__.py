"""The audit log's recorder: who accessed or changed what, about whom, why, and with what
outcome, written once (services), sealed in a chain (chain, checkpoints) and verified (cli).
It knows no domain package; the auditor's pages that read it are ``caseflow.auditor``."""
