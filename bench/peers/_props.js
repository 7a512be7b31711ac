// The properties every SDK attaches to each benchmark event, so that every
// payload carries the same data. `run` and `phase` let the sink tell runs and
// phases apart; `seq` is what delivery is counted by.
export const props = (run, phase, seq) => ({ seq, phase, run, item_name: 'coffee beans', price: 12.9, on_sale: false })
