"""The push receiver's cryptography, done independently of the server's Rust code: `http_ece`
(RFC 8188/8291) decrypts, `cryptography` makes the browser's keys and checks the VAPID token
(RFC 8292). Used by crates/cli/tests/push_reminders.rs.

    receiver.py keys          -> {"p256dh", "auth", "private"} (what a browser would hold)
    receiver.py open < JSON   -> {"payload", "claims"} or exit 1 with the reason

`open` reads {"body", "authorization", "private", "auth", "vapid_key", "audience", "now"}
(bytes as base64url, `now` the server's clock in Unix seconds).
"""

import base64
import json
import os
import sys

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def keys() -> dict:
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    der = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return {"p256dh": b64(public), "auth": b64(os.urandom(16)), "private": b64(der)}


def fail(why: str) -> None:
    print(why, file=sys.stderr)
    sys.exit(1)


def check_vapid(authorization: str, vapid_key: str, audience: str, now: int) -> dict:
    if not authorization.startswith("vapid "):
        fail(f"Authorization is not the vapid scheme: {authorization[:20]}")
    params = dict(
        part.strip().split("=", 1) for part in authorization[len("vapid "):].split(",")
    )
    if params.get("k") != vapid_key:
        fail("k= is not the key the server publishes at /api/v1/push/key")
    header_b64, claims_b64, signature_b64 = params["t"].split(".")
    header = json.loads(unb64(header_b64))
    if header.get("alg") != "ES256":
        fail(f"JWT alg is {header.get('alg')}, not ES256")
    signature = unb64(signature_b64)
    if len(signature) != 64:
        fail("ES256 signature is not 64 bytes (r || s)")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(vapid_key))
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        fail("the VAPID JWT signature does not verify with the server's key")
    claims = json.loads(unb64(claims_b64))
    if claims.get("aud") != audience:
        fail(f"aud is {claims.get('aud')}, not {audience}")
    exp = claims.get("exp")
    # RFC 8292 section 2: in the future, and at most 24 hours ahead.
    if not isinstance(exp, int) or not (now < exp <= now + 24 * 3600):
        fail(f"exp {exp} is not within 24 hours after {now}")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        fail(f"sub {claims.get('sub')} is not a mailto: or https: contact")
    return claims


def open_message(request: dict) -> dict:
    claims = check_vapid(
        request["authorization"], request["vapid_key"], request["audience"], request["now"]
    )
    private = serialization.load_der_private_key(unb64(request["private"]), password=None)
    payload = http_ece.decrypt(
        unb64(request["body"]),
        private_key=private,
        auth_secret=unb64(request["auth"]),
        version="aes128gcm",
    )
    return {"payload": payload.decode(), "claims": claims}


if __name__ == "__main__":
    if sys.argv[1:] == ["keys"]:
        print(json.dumps(keys()))
    elif sys.argv[1:] == ["open"]:
        print(json.dumps(open_message(json.load(sys.stdin))))
    else:
        fail("usage: receiver.py keys | open < request.json")
