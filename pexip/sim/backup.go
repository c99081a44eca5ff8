package sim

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"pexops/pexip"
)

// Backup identity of the simulated node, as it appears in backup names and objects.
const (
	backupBuild   = "26902.0.0"
	backupVersion = "18"
	backupMagic   = "PEXSIMBK1"
)

// backupStore holds the bytes of system backups by file name.
type backupStore struct {
	mu    sync.Mutex
	files map[string][]byte
}

func newBackupStore() *backupStore { return &backupStore{files: map[string][]byte{}} }

func (b *backupStore) put(name string, data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.files[name] = data
}

func (b *backupStore) get(name string) ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.files[name]
	return data, ok
}

func (b *backupStore) delete(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.files, name)
}

// tableDump is one table in a backup.
type tableDump struct {
	Next    int      `json:"next"`
	Objects []Object `json:"objects"`
}

// notBackedUp reports the tables a backup leaves alone: the backups themselves and pending
// licence requests.
func notBackedUp(table string) bool { return table == "system_backup" || table == "licence_request" }

// backupCreate encrypts the whole configuration with the passphrase and lists the file under
// configuration/v1/system_backup/.
func (s *Sim) backupCreate(passphrase string) (int, any) {
	x := s.store.begin()
	dump := map[string]tableDump{}
	for name, t := range x.s.tables {
		if notBackedUp(name) {
			continue
		}
		d := tableDump{Next: t.next, Objects: make([]Object, 0, len(t.recs))}
		for _, rec := range t.recs {
			d.Objects = append(d.Objects, rec.obj)
		}
		dump[name] = d
	}
	plain, err := json.Marshal(dump)
	if err == nil {
		var data []byte
		data, err = seal(plain, passphrase)
		if err == nil {
			x.addBackup(s.backups, data)
		}
	}
	x.end(err)
	if err != nil {
		return http.StatusInternalServerError, map[string]string{"error_message": cannedError}
	}
	return http.StatusAccepted, success(nil)
}

func (x *tx) addBackup(files *backupStore, data []byte) {
	t := x.s.tables["system_backup"]
	now := x.s.clock.Now().UTC()
	name := fmt.Sprintf("pexip_backup_pexops-sim-mgr_%s_%s_%s.tar.gpg", backupVersion, backupBuild,
		now.Format("06_01_02_15_04_05"))
	for i := 2; t.byKey[name] != nil; i++ {
		name = fmt.Sprintf("pexip_backup_pexops-sim-mgr_%s_%s_%s_%d.tar.gpg", backupVersion,
			backupBuild, now.Format("06_01_02_15_04_05"), i)
	}
	files.put(name, data)
	x.insert(t, &record{key: name, obj: Object{"filename": name, "build": backupBuild,
		"version": backupVersion, "date": pexip.NewTime(now).Wire(), "size": len(data),
		"resource_uri": t.uri(name)}})
}

// downloadBackup answers GET system_backup/<filename>/ with the file's bytes.
func (s *Sim) downloadBackup(w http.ResponseWriter, name string) {
	data, ok := s.backups.get(name)
	if !ok {
		notFound(w)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// backupRestore replaces the configuration with a backup's. Ids stay monotonic: a restored
// table never hands out an id it handed out before.
func (s *Sim) backupRestore(data []byte, passphrase string) (int, any) {
	if len(data) == 0 {
		return http.StatusBadRequest, invalid("backup_restore", "package", "This field is required.").body()
	}
	plain, err := open(data, passphrase)
	if err != nil {
		return http.StatusBadRequest, invalid("backup_restore", "passphrase",
			"The backup could not be decrypted with this passphrase.").body()
	}
	var dump map[string]tableDump
	if err := json.Unmarshal(plain, &dump); err != nil {
		return http.StatusBadRequest, invalid("backup_restore", "package", "The file is not a backup.").body()
	}
	x := s.store.begin()
	for name, d := range dump {
		t := x.s.tables[name]
		if t == nil || notBackedUp(name) {
			continue
		}
		for _, rec := range append([]*record(nil), t.recs...) {
			x.remove(t, rec)
		}
		for _, o := range d.Objects {
			x.insert(t, &record{key: toString(o[t.keyField]), obj: o})
		}
		t.next = max(t.next, d.Next)
	}
	x.end(nil)
	return http.StatusAccepted, success(nil)
}

// seal encrypts with AES-256-GCM under a PBKDF2 key: magic, salt, nonce, ciphertext.
func seal(plain []byte, passphrase string) ([]byte, error) {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	gcm, err := backupCipher(passphrase, salt)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	out := append([]byte(backupMagic), salt...)
	out = append(out, nonce...)
	return gcm.Seal(out, nonce, plain, nil), nil
}

func open(data []byte, passphrase string) ([]byte, error) {
	if !bytes.HasPrefix(data, []byte(backupMagic)) || len(data) < len(backupMagic)+16+12 {
		return nil, errors.New("not a backup file")
	}
	data = data[len(backupMagic):]
	gcm, err := backupCipher(passphrase, data[:16])
	if err != nil {
		return nil, err
	}
	nonce, sealed := data[16:16+gcm.NonceSize()], data[16+gcm.NonceSize():]
	return gcm.Open(nil, nonce, sealed, nil)
}

func backupCipher(passphrase string, salt []byte) (cipher.AEAD, error) {
	key, err := pbkdf2.Key(sha256.New, passphrase, salt, 4096, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
