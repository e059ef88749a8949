package devserver

import (
	"sync/atomic"
	"unsafe"
)

// Environment of a dev server that receives connections.
const (
	ConnFDEnv  = "NEXTGO_CONN_FD"  // the seqpacket socket of the messages
	SlotsFDEnv = "NEXTGO_SLOTS_FD" // the shared slots, SlotSize bytes per connection id
	FrontEnv   = "NEXTGO_FRONT"    // the unix socket of the CLI's front
)

// Slot states, in a slot's first four bytes; bytes 4–5 hold the length of
// the request line ("GET /api/x") stored from byte 8.
const (
	SlotSize     = 256
	SlotIdle     = 0 // between requests
	SlotRequest  = 1 // a request is being served, nothing sent yet
	SlotAnswered = 2 // the response has started
)

// SlotState reads the state of a slot.
func SlotState(slot []byte) uint32 {
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&slot[0])))
}

// SlotRequestLine reads the request line of a slot.
func SlotRequestLine(slot []byte) string {
	n := int(slot[4]) | int(slot[5])<<8
	return string(slot[8 : 8+min(n, SlotSize-8)])
}

func setSlot(slot []byte, state uint32) {
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&slot[0])), state)
}
