#!/bin/sh
# An AK that FAPI created (tss2_provision, tss2_createkey under HS/SRK) in
# place of one at a persistent handle: imc-attestation quotes with the key of
# [imc-attestation] ak_fapi_path, and imc-os, which has no AK settings of its
# own, takes the same key for the device ID. The device's keyid comes from
# tss2_exportkey's PEM and the openssl CLI, not from tncsuite. The first
# attestation registers, the second verifies, both allowed.
. "$(dirname "$0")/lib.sh"
. "$TOP_SRCDIR/tests/integration/attest-lib.sh"

attest_require
for tool in tss2_provision tss2_createkey tss2_exportkey; do
	command -v "$tool" >/dev/null || { skip fapi "$tool is not installed (package tpm2-tools)"; tnc_finish; }
done
setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }

LOG=$DATA/eventlog/ovmf/ovmf-grub-linuxefi-1.bin
DB=$WORK/config.db
EP=$WORK/ep
tpm_start "$EP/tpm" && replay_bios "$LOG" sha1,sha256,sha384,sha512 ||
	{ fail tpm-setup "swtpm or tpm2_pcrextend failed"; tnc_finish; }

# FAPI keeps its keystore and log under the endpoint directory.
mkdir -p "$EP/fapi/user" "$EP/fapi/system" "$EP/fapi/log"
cat > "$EP/fapi.json" <<JSON
{ "profile_name": "P_ECCP256SHA256", "profile_dir": "/etc/tpm2-tss/fapi-profiles/",
  "user_dir": "$EP/fapi/user", "system_dir": "$EP/fapi/system", "log_dir": "$EP/fapi/log",
  "tcti": "$TCTI", "system_pcrs": [], "ek_cert_less": "yes" }
JSON
export TSS2_FAPICONF=$EP/fapi.json
if tss2_provision >"$WORK/fapi.out" 2>&1 &&
	tss2_createkey --path=HS/SRK/AK --type="sign,restricted,noda" --authValue="" >>"$WORK/fapi.out" 2>&1 &&
	tss2_exportkey --pathOfKeyToDuplicate=HS/SRK/AK --exportedData=- 2>>"$WORK/fapi.out" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["pem_ext_public"])' > "$EP/ak.pem"; then
	pass fapi-provision
else
	fail fapi-provision "FAPI could not create the AK:"
	sed 's/^/    /' "$WORK/fapi.out"
	tnc_finish
fi
KEYID=$(openssl pkey -pubin -in "$EP/ak.pem" -outform DER | sha1sum | cut -c1-40)

# The endpoint: the AK by FAPI path; no AK settings for imc-os.
endpoint "$EP" "$LOG" "" "ak_fapi_path = HS/SRK/AK"
sed -i '/^\[imc-os\]/,/^\[/{/^tcti = /d;/^ak_handle = /d}' "$EP/tncsuite.conf"

new_db "$DB"
"$TNC_DB" -d "$DB" policy-add "TPM BIOS Measurements" TPMRA isolate no-access B >/dev/null &&
	"$TNC_DB" -d "$DB" enforcement-add 1 1 0 >/dev/null &&
	"$TNC_DB" -d "$DB" device-add "$KEYID" "$PRODUCT" >/dev/null &&
	"$TNC_DB" -d "$DB" device-trust "$KEYID" >/dev/null 2>&1 || fail db-setup "tnc-db failed"
gateway "$DB" || { fail gateway "tnc-server did not start"; tnc_finish; }

N=$($REPLAY count "$LOG" sha256)
check fapi-register "$EP" 0 "^Reason: TPMRA 'B': registered $N BIOS evidence measurements; TPM quote verified$"
check fapi-verify "$EP" 0 "^Reason: TPMRA 'B': $N BIOS measurements equal the registered ones; TPM quote verified$"
sql_is fapi-device "$DB" "SELECT count(*) FROM devices WHERE value = '$KEYID'" 1

gateway_stop fapi
tpm_stop "$EP/tpm"
attest_finish
