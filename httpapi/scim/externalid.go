package scim

import (
	"context"
	"slices"
	"sync"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/org"
)

// ExternalIDs keeps the identity provider's externalId of each account.
// The account record has no field for it (SPEC §12 says it is kept; the
// root package's Account does not hold it yet), so the host says where it
// lives. Implementations must be safe for concurrent use.
type ExternalIDs interface {
	// Get returns the externalId of an account, "" when it has none.
	Get(ctx context.Context, o org.ID, id account.ID) (string, error)
	// Set keeps externalID for an account; "" forgets it.
	Set(ctx context.Context, o org.ID, id account.ID, externalID string) error
	// Find returns the accounts of o with that externalId.
	Find(ctx context.Context, o org.ID, externalID string) ([]account.ID, error)
}

// MemoryExternalIDs keeps externalIds in memory: for the embedded default
// and tests, not for a host that restarts (they are lost with the process).
type MemoryExternalIDs struct {
	mu  sync.Mutex
	ids map[org.ID]map[account.ID]string
}

// NewMemoryExternalIDs returns an empty MemoryExternalIDs.
func NewMemoryExternalIDs() *MemoryExternalIDs {
	return &MemoryExternalIDs{ids: map[org.ID]map[account.ID]string{}}
}

// Get implements ExternalIDs.
func (m *MemoryExternalIDs) Get(_ context.Context, o org.ID, id account.ID) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ids[o][id], nil
}

// Set implements ExternalIDs.
func (m *MemoryExternalIDs) Set(_ context.Context, o org.ID, id account.ID, externalID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if externalID == "" {
		delete(m.ids[o], id)
		return nil
	}
	if m.ids[o] == nil {
		m.ids[o] = map[account.ID]string{}
	}
	m.ids[o][id] = externalID
	return nil
}

// Find implements ExternalIDs.
func (m *MemoryExternalIDs) Find(_ context.Context, o org.ID, externalID string) ([]account.ID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []account.ID
	for id, x := range m.ids[o] {
		if x == externalID {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}
