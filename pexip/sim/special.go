package sim

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"pexops/pexip"
)

// createWorkerVM creates a Conferencing Node. A MANUAL* deployment answers with the file to
// deploy it from instead of a Location-only 201: an XML provisioning document for
// MANUAL-PROVISION-ONLY, an OVA (a tar holding an OVF descriptor) for the other MANUAL types.
func (s *Sim) createWorkerVM(w http.ResponseWriter, r *http.Request, t *table, body map[string]any) {
	x := s.store.begin()
	key, err := x.create(t, body, "")
	var obj Object
	if err == nil {
		obj = t.byKey[key].obj
	}
	x.end(err)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", absolute(r, t.uri(key)))
	kind := toString(obj["deployment_type"])
	switch {
	case kind == "MANUAL-PROVISION-ONLY":
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Disposition", `attachment; filename="conferencing_node.xml"`)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(provisioningXML(obj))
	case strings.HasPrefix(kind, "MANUAL"):
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="conferencing_node.ova"`)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(ova(obj))
	default:
		w.WriteHeader(http.StatusCreated)
	}
}

// provisioningXML is the bootstrap document of a node; values are escaped (names are
// chosen by whoever calls the API). The password is never included.
func provisioningXML(obj Object) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header + "<provisioning>\n")
	for _, k := range []string{"name", "hostname", "domain", "address", "netmask", "gateway",
		"node_type", "system_location"} {
		b.WriteString("  <" + k + ">")
		_ = xml.EscapeText(&b, []byte(toString(obj[k])))
		b.WriteString("</" + k + ">\n")
	}
	b.WriteString("</provisioning>\n")
	return b.Bytes()
}

func ova(obj Object) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	desc := provisioningXML(obj)
	_ = tw.WriteHeader(&tar.Header{Name: "conferencing_node.ovf", Mode: 0o644, Size: int64(len(desc))})
	_, _ = tw.Write(desc)
	_ = tw.Close()
	return buf.Bytes()
}

var entitlementPattern = regexp.MustCompile(`^[0-9A-Fa-f]{4}(-[0-9A-Fa-f]{4}){3}$`)

// addLicence activates an entitlement key: 201 + Location of the new licence, or with
// offline_mode 202 + Location of a licence request to complete by hand.
func (s *Sim) addLicence(w http.ResponseWriter, r *http.Request, body map[string]any) {
	key := toString(body["entitlement_id"])
	if !entitlementPattern.MatchString(key) {
		writeError(w, invalid("licence", "entitlement_id",
			"Enter a valid entitlement key: XXXX-XXXX-XXXX-XXXX, where X is a hex digit."))
		return
	}
	x := s.store.begin()
	defer func() { x.end(nil) }()
	if parseBool(toString(body["offline_mode"])) {
		uri := x.licenceRequest("activate", key, "")
		w.Header().Set("Location", absolute(r, uri))
		w.WriteHeader(http.StatusAccepted)
		return
	}
	uri := x.activateLicence(key)
	created(w, r, uri)
}

func (x *tx) activateLicence(entitlement string) string {
	t := x.s.tables["licence"]
	fid := strconv.Itoa(1000000000 + t.next*7919)
	t.next++
	obj := Object{"fulfillment_id": fid, "entitlement_id": strings.ToUpper(entitlement),
		"product_id": "pexip_port", "features": "port", "concurrent": 10, "activatable": 10,
		"expiration_date": "", "status": "Activated", "resource_uri": t.uri(fid)}
	x.insert(t, &record{key: fid, obj: obj})
	return t.uri(fid)
}

// licenceRequest stores an offline request (activation or return) and returns its URI.
func (x *tx) licenceRequest(kind, entitlement, fulfillment string) string {
	t := x.s.tables["licence_request"]
	seq := strconv.Itoa(t.next)
	t.next++
	var actions bytes.Buffer
	actions.WriteString(xml.Header + "<request><action>" + kind + "</action><key>")
	_ = xml.EscapeText(&actions, []byte(entitlement+fulfillment))
	actions.WriteString("</key></request>")
	obj := Object{"sequence_number": seq, "reference_id": fulfillment, "actions": actions.String(),
		"resource_uri": t.uri(seq), "kind": kind, "entitlement": entitlement}
	x.insert(t, &record{key: seq, obj: obj})
	return t.uri(seq)
}

// returnLicenceOffline answers DELETE licence/<id>/?offline_mode=True: 202 + Location of
// the return request.
func (s *Sim) returnLicenceOffline(w http.ResponseWriter, r *http.Request, fid string) {
	x := s.store.begin()
	defer func() { x.end(nil) }()
	if x.s.tables["licence"].byKey[fid] == nil {
		notFound(w)
		return
	}
	uri := x.licenceRequest("return", "", fid)
	w.Header().Set("Location", absolute(r, uri))
	w.WriteHeader(http.StatusAccepted)
}

// completeLicenceRequest takes the licensing server's response_xml for a stored request.
func (s *Sim) completeLicenceRequest(w http.ResponseWriter, r *http.Request, seq string) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if _, ok := body["response_xml"].([]byte); !ok {
		writeError(w, invalid("licence_request", "response_xml", "This field is required."))
		return
	}
	x := s.store.begin()
	defer func() { x.end(nil) }()
	t := x.s.tables["licence_request"]
	rec := t.byKey[seq]
	if rec == nil {
		notFound(w)
		return
	}
	if rec.obj["kind"] == "activate" {
		x.activateLicence(toString(rec.obj["entitlement"]))
	} else if lt := x.s.tables["licence"]; lt.byKey[toString(rec.obj["reference_id"])] != nil {
		x.deleteRecords(lt, []*record{lt.byKey[toString(rec.obj["reference_id"])]})
	}
	x.deleteRecords(t, []*record{rec})
	w.WriteHeader(http.StatusAccepted)
}

// platformCommand runs the platform commands the configuration side owns.
func (s *Sim) platformCommand(r *http.Request, name string, fields map[string]string,
	files map[string][]byte) (int, any) {
	switch name {
	case "backup_create":
		return s.backupCreate(fields["passphrase"])
	case "backup_restore":
		return s.backupRestore(files["package"], fields["passphrase"])
	case "certificates_import":
		return s.importCertificates(fields["bundle"])
	case "software_bundle":
		if len(files["package"]) == 0 && fields["package"] == "" {
			return http.StatusBadRequest, invalid(name, "package", "This field is required.").body()
		}
	case "sync":
		return s.syncTemplate(fields["conference_sync_template_id"])
	case "send_conference_email":
		return s.sendEmail(name, "conference", "conference_id", "Failed to find conference.", fields)
	case "send_device_email":
		return s.sendEmail(name, "device", "device_id", "Failed to find device.", fields)
	}
	return http.StatusAccepted, success(nil)
}

const msgNoTemplate = "Failed to find conference sync template."

// syncTemplate answers conference/sync: the given LDAP sync template, or all of them when
// none is given. An unknown template is the command error of §6.2 of the fact sheet.
//
// NOTE: the sync itself is not simulated (no LDAP): the services stay as they are. It
// answers 200, which production clients accept for sync (they take 200, 201 or 204).
func (s *Sim) syncTemplate(id string) (int, any) {
	if id != "" && !s.store.exists("conference_sync_template", id) {
		return http.StatusBadRequest, invalid("sync", "conference_sync_template_id", msgNoTemplate).body()
	}
	return http.StatusOK, success(nil)
}

// sendEmail answers the provisioning emails of a service or device (given by configuration
// id in idField, optionally through a sync template's email). Nothing is sent.
func (s *Sim) sendEmail(cmd, table, idField, missing string, fields map[string]string) (int, any) {
	if !s.store.exists(table, fields[idField]) {
		return http.StatusBadRequest, invalid(cmd, idField, missing).body()
	}
	if tid := fields["conference_sync_template_id"]; tid != "" && !s.store.exists("conference_sync_template", tid) {
		return http.StatusBadRequest, invalid(cmd, "conference_sync_template_id", msgNoTemplate).body()
	}
	return http.StatusAccepted, success(nil)
}

// success is the command envelope of a success, the same as the platform's commands send.
func success(data any) map[string]any {
	return map[string]any{"status": "success", "message": "", "data": data}
}

// importCertificates stores every certificate of a PEM bundle as a tls_certificate, with
// the bundle's private key attached (write-only).
func (s *Sim) importCertificates(bundle string) (int, any) {
	var certs []*x509.Certificate
	var pems []string
	var key string
	rest := []byte(bundle)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch {
		case block.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				continue
			}
			certs, pems = append(certs, c), append(pems, string(pem.EncodeToMemory(block)))
		case strings.Contains(block.Type, "PRIVATE KEY"):
			key = string(pem.EncodeToMemory(block))
		}
	}
	if len(certs) == 0 {
		return http.StatusBadRequest, invalid("certificates_import", "bundle",
			"No valid certificate was found in the bundle.").body()
	}
	x := s.store.begin()
	t := x.s.tables["tls_certificate"]
	var err error
	for i, c := range certs {
		var k string
		if k, err = x.create(t, map[string]any{"certificate": pems[i], "private_key": key}, ""); err != nil {
			break
		}
		rec := t.byKey[k]
		obj := copyObj(rec.obj)
		obj["subject_name"], obj["issuer_name"] = c.Subject.String(), c.Issuer.String()
		obj["start_date"] = pexip.NewTime(c.NotBefore).Wire()
		obj["end_date"] = pexip.NewTime(c.NotAfter).Wire()
		x.replace(t, rec, obj)
	}
	x.end(err)
	if err != nil {
		return http.StatusBadRequest, map[string]any{"status": "error", "message": fmt.Sprint(err)}
	}
	return http.StatusAccepted, success(nil)
}
