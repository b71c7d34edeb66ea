//! `Tape` as a serde `Serializer`: every `Serialize` result type goes out as a tape.

use super::*;

/// Writes `{ variant: … }` around an enum variant's content.
fn open_variant(t: &mut Tape, variant: &str) {
    t.ops.push(MAP);
    t.str(variant);
}

/// The eight integer methods of a `Serializer`, each passing its value, converted with
/// `as`, to one method of the serializer (numbers on the tape are `f64`; keys are text).
macro_rules! integers_via {
    ($target:ident as $to:ty) => {
        integers_via!(@each $target $to; serialize_i8 i8, serialize_i16 i16, serialize_i32 i32,
            serialize_i64 i64, serialize_u8 u8, serialize_u16 u16, serialize_u32 u32,
            serialize_u64 u64);
    };
    (@each $target:ident $to:ty; $($method:ident $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), TapeError> {
            self.$target(v as $to)
        }
    )*};
}

impl ser::Serializer for &mut Tape {
    type Ok = ();
    type Error = TapeError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), TapeError> {
        self.ops.push(if v { TRUE } else { FALSE });
        Ok(())
    }
    integers_via!(serialize_f64 as f64);
    fn serialize_f32(self, v: f32) -> Result<(), TapeError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), TapeError> {
        self.num(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), TapeError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), TapeError> {
        self.ops.push(STR);
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), TapeError> {
        self.ops.push(LIST);
        for b in v {
            self.num(f64::from(*b));
        }
        self.ops.push(END);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), TapeError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), TapeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), TapeError> {
        self.ops.push(NULL);
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), TapeError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), TapeError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), TapeError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), TapeError> {
        open_variant(self, variant);
        value.serialize(&mut *self)?;
        self.ops.push(END);
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, TapeError> {
        self.ops.push(LIST);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, TapeError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, TapeError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, TapeError> {
        open_variant(self, variant);
        self.ops.push(LIST);
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, TapeError> {
        self.ops.push(MAP);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, TapeError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, TapeError> {
        open_variant(self, variant);
        self.ops.push(MAP);
        Ok(self)
    }
}

/// Sequences and tuples: each element in turn, then the closing op(s) (`ends`: one, or
/// two for a variant, which also closes its `{variant: …}` wrapper).
macro_rules! sequence_like {
    ($($trait:ident :: $method:ident => $ends:expr;)*) => {$(
        impl ser::$trait for &mut Tape {
            type Ok = ();
            type Error = TapeError;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TapeError> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), TapeError> {
                self.ops.extend_from_slice($ends);
                Ok(())
            }
        }
    )*};
}

sequence_like! {
    SerializeSeq::serialize_element => &[END];
    SerializeTuple::serialize_element => &[END];
    SerializeTupleStruct::serialize_field => &[END];
    SerializeTupleVariant::serialize_field => &[END, END];
}

/// Map keys must be strings (or numbers, written as their integer text).
struct KeySerializer<'a>(&'a mut Tape);

impl KeySerializer<'_> {
    fn int(self, v: i128) -> Result<(), TapeError> {
        let mut digits = [0u8; 40];
        let (mut n, mut at) = (v.unsigned_abs(), digits.len());
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if v < 0 {
            at -= 1;
            digits[at] = b'-';
        }
        self.0
            .str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
        Ok(())
    }
}

fn bad_key<T>() -> Result<T, TapeError> {
    Err(TapeError("map keys must be strings".into()))
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = TapeError;
    type SerializeSeq = ser::Impossible<(), TapeError>;
    type SerializeTuple = ser::Impossible<(), TapeError>;
    type SerializeTupleStruct = ser::Impossible<(), TapeError>;
    type SerializeTupleVariant = ser::Impossible<(), TapeError>;
    type SerializeMap = ser::Impossible<(), TapeError>;
    type SerializeStruct = ser::Impossible<(), TapeError>;
    type SerializeStructVariant = ser::Impossible<(), TapeError>;

    fn serialize_str(self, v: &str) -> Result<(), TapeError> {
        self.0.str(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), TapeError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), TapeError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), TapeError> {
        value.serialize(self)
    }
    integers_via!(int as i128);
    fn serialize_bool(self, _: bool) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_f32(self, _: f32) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_f64(self, _: f64) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_none(self) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_unit(self) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, TapeError> {
        bad_key()
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, TapeError> {
        bad_key()
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, TapeError> {
        bad_key()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, TapeError> {
        bad_key()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, TapeError> {
        bad_key()
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, TapeError> {
        bad_key()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, TapeError> {
        bad_key()
    }
}

impl ser::SerializeMap for &mut Tape {
    type Ok = ();
    type Error = TapeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), TapeError> {
        key.serialize(KeySerializer(self))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TapeError> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), TapeError> {
        self.ops.push(END);
        Ok(())
    }
}

/// Structs: each field under its (remembered) name, then the closing op(s), as above.
macro_rules! struct_like {
    ($($trait:ident => $ends:expr;)*) => {$(
        impl ser::$trait for &mut Tape {
            type Ok = ();
            type Error = TapeError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), TapeError> {
                self.key(key);
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), TapeError> {
                self.ops.extend_from_slice($ends);
                Ok(())
            }
        }
    )*};
}

struct_like! {
    SerializeStruct => &[END];
    SerializeStructVariant => &[END, END];
}
